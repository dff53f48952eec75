#!/usr/bin/env python3
"""Golden optimiser fixtures from PyTorch for Runner's Optimizers tests.

Five parameters (a conv weight, a BatchNorm weight and bias, a linear weight and bias) in two layer
groups with different learning rates take five steps with given gradients. Each file stores the
initial values, every step's gradients, learning rates and momenta, and every parameter after each
step:
    initial.<key>, grad.<step>.<key>, lr.<step> (one per group), mom.<step>, param.<step>.<key>
Its `__metadata__` holds the case configuration as JSON under "config".

Cases:
  * fastai v1 `AdamW`: torch.optim.Adam(betas=(0.9, 0.99), eps=1e-8); decoupled wd is applied by hand
    before `step()` as fastai1's OptimWrapper does, with norm and bias parameters in the "nowd" torch
    group that is decayed only when bn_wd; or, without true_wd, wd as torch's own L2 weight_decay.
  * fastai 0.7: torch.optim.SGD(momentum=0.9, weight_decay=1e-4).
  * fastai v2 `Adam`: a re-implementation of fastai's callbacks (weight_decay, average_grad with
    dampening, average_sqr_grad, step_stat, adam_step with debias) using the same torch ops.

Needs torch and safetensors. Run from the repository root:
    python3 tools/make_optimizer_fixtures.py
The output is deterministic for a given torch version; commit it.
"""
import json
import os

import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "OptimizersTests", "Fixtures")
STEPS = 5
# Layer groups: the conv and its BatchNorm in group 0, the linear layer in group 1.
GROUPS = [["0.weight", "1.weight", "1.bias"], ["4.weight", "4.bias"]]
NORM_OR_BIAS = {"1.weight", "1.bias", "4.bias"}
SHAPES = {"0.weight": (4, 3, 3, 3), "1.weight": (4,), "1.bias": (4,), "4.weight": (5, 4), "4.bias": (5,)}
BASE_LRS = [1e-3, 1e-2]
# A few steps of a schedule, so that per-step changes of lr and momentum are exercised.
LR_MULTS = [0.04, 0.5, 1.0, 0.8, 0.3]
MOMS = [0.95, 0.9, 0.85, 0.88, 0.93]


def initial_values(seed):
    g = torch.Generator().manual_seed(seed)
    values = {}
    for key, shape in SHAPES.items():
        v = torch.randn(*shape, generator=g)
        if key == "1.weight":
            v = v * 0.2 + 1
        values[key] = v
    return values


def gradients(seed):
    g = torch.Generator().manual_seed(seed + 1000)
    # Mixed scales so that eps matters for some elements and not for others.
    return [{key: torch.randn(*shape, generator=g) * (0.1 if key.endswith("bias") else 1.0)
             for key, shape in SHAPES.items()} for _ in range(STEPS)]


def schedule():
    lrs = [[base * m for base in BASE_LRS] for m in LR_MULTS]
    return lrs, MOMS


def save(name, config, initial, grads, lrs, moms, history):
    tensors = {}
    for key, v in initial.items():
        tensors["initial." + key] = v.clone()
    for step in range(STEPS):
        for key, g in grads[step].items():
            tensors[f"grad.{step}.{key}"] = g.clone()
        tensors[f"lr.{step}"] = torch.tensor(lrs[step], dtype=torch.float64).float()
        tensors[f"mom.{step}"] = torch.tensor([moms[step]] * len(GROUPS), dtype=torch.float64).float()
        for key, v in history[step].items():
            tensors[f"param.{step}.{key}"] = v.clone()
    config = {**config, "groups": GROUPS, "norm_or_bias": sorted(NORM_OR_BIAS), "base_lrs": BASE_LRS,
              "lrs": lrs, "moms": moms, "steps": STEPS}
    meta = {"case": name, "torch": torch.__version__, "config": json.dumps(config)}
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(OUT, name + ".safetensors"),
              metadata=meta)


def fastai1_adam(name, seed, wd, true_wd, bn_wd):
    initial, grads = initial_values(seed), gradients(seed)
    params = {k: v.clone().requires_grad_(True) for k, v in initial.items()}
    lrs, moms = schedule()
    # OptimWrapper's split: [g0-main, g0-nowd, g1-main, g1-nowd].
    torch_groups = []
    for keys in GROUPS:
        torch_groups.append({"params": [params[k] for k in keys if k not in NORM_OR_BIAS], "kind": "main"})
        torch_groups.append({"params": [params[k] for k in keys if k in NORM_OR_BIAS], "kind": "nowd"})
    opt = torch.optim.Adam(torch_groups, lr=1e-3, betas=(0.9, 0.99), eps=1e-8, foreach=False)
    history = []
    for step in range(STEPS):
        for key, p in params.items():
            p.grad = grads[step][key].clone()
        for i, pg in enumerate(opt.param_groups):
            layer_group = i // 2
            pg["lr"] = lrs[step][layer_group]
            pg["betas"] = (moms[step], 0.99)
            decayed = pg["kind"] == "main" or bn_wd
            pg["weight_decay"] = 0 if true_wd or not decayed else wd
        if true_wd:
            with torch.no_grad():
                for i, pg in enumerate(opt.param_groups):
                    if pg["kind"] == "main" or bn_wd:
                        for p in pg["params"]:
                            p.mul_(1 - wd * lrs[step][i // 2])
        opt.step()
        history.append({k: p.detach().clone() for k, p in params.items()})
    save(name, {"optimizer": "fastai1_adam", "wd": wd, "true_wd": true_wd, "bn_wd": bn_wd, "eps": 1e-8,
                "beta2": 0.99}, initial, grads, lrs, moms, history)


def sgd(name, seed, wd):
    initial, grads = initial_values(seed), gradients(seed)
    params = {k: v.clone().requires_grad_(True) for k, v in initial.items()}
    lrs, _ = schedule()
    moms = [0.9] * STEPS
    opt = torch.optim.SGD([{"params": [params[k] for k in keys]} for keys in GROUPS], lr=1e-3, momentum=0.9,
                          weight_decay=wd, foreach=False)
    history = []
    for step in range(STEPS):
        for key, p in params.items():
            p.grad = grads[step][key].clone()
        for i, pg in enumerate(opt.param_groups):
            pg["lr"] = lrs[step][i] * 10  # SGD's rates are larger than Adam's
        opt.step()
        history.append({k: p.detach().clone() for k, p in params.items()})
    lrs = [[lr * 10 for lr in row] for row in lrs]
    save(name, {"optimizer": "sgd", "wd": wd}, initial, grads, lrs, moms, history)


def fastai2_adam(name, seed, wd, wd_bn_bias, decouple_wd=True, eps=1e-5, sqr_mom=0.99):
    """fastai's Adam: the callbacks of optimizer.py in their order, with the same torch ops."""
    initial, grads = initial_values(seed), gradients(seed)
    params = {k: v.clone() for k, v in initial.items()}
    lrs, moms = schedule()
    state = {k: {} for k in params}
    history = []
    for step in range(STEPS):
        for gi, keys in enumerate(GROUPS):
            lr, mom = lrs[step][gi], moms[step]
            for key in keys:
                p, g = params[key], grads[step][key].clone()
                st = state[key]
                do_wd = wd_bn_bias or key not in NORM_OR_BIAS
                if decouple_wd:  # weight_decay
                    if do_wd and wd != 0:
                        p.mul_(1 - lr * wd)
                else:  # l2_reg
                    if do_wd and wd != 0:
                        g.add_(p, alpha=wd)
                grad_avg = st.get("grad_avg", torch.zeros_like(g))  # average_grad(dampening=True)
                grad_avg.mul_(mom).add_(g, alpha=1 - mom)
                sqr_avg = st.get("sqr_avg", torch.zeros_like(g))  # average_sqr_grad
                sqr_avg.mul_(sqr_mom).addcmul_(g, g, value=1 - sqr_mom)
                st_step = st.get("step", 0) + 1  # step_stat
                debias1 = (1 - mom) * (1 - mom ** st_step) / (1 - mom)  # debias(mom, 1-mom, step)
                debias2 = (1 - sqr_mom) * (1 - sqr_mom ** st_step) / (1 - sqr_mom)
                p.addcdiv_(grad_avg, (sqr_avg / debias2).sqrt() + eps, value=-lr / debias1)
                st.update(grad_avg=grad_avg, sqr_avg=sqr_avg, step=st_step)
        history.append({k: p.clone() for k, p in params.items()})
    save(name, {"optimizer": "fastai2_adam", "wd": wd, "wd_bn_bias": wd_bn_bias, "decouple_wd": decouple_wd,
                "eps": eps, "sqr_mom": sqr_mom}, initial, grads, lrs, moms, history)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    fastai1_adam("adam_v1", 1, wd=0.1, true_wd=True, bn_wd=True)
    fastai1_adam("adam_v1_no_bn_wd", 2, wd=0.1, true_wd=True, bn_wd=False)
    fastai1_adam("adam_v1_l2", 3, wd=0.1, true_wd=False, bn_wd=True)
    sgd("sgd", 4, wd=1e-4)
    fastai2_adam("adam_v2", 5, wd=0.1, wd_bn_bias=False)
    fastai2_adam("adam_v2_wd_bn_bias", 6, wd=0.1, wd_bn_bias=True)
    fastai2_adam("adam_v2_l2", 7, wd=0.1, wd_bn_bias=False, decouple_wd=False)
    print("wrote", len([f for f in os.listdir(OUT) if f.endswith(".safetensors")]), "fixtures to",
          os.path.normpath(OUT))
