#!/usr/bin/env python3
"""Parity fixtures for whole torchvision networks, written on demand by the Swift tests.

    python3 tools/make_arch_fixture.py ARCH [ARCH ...] DIR [--gradients-for A,B] [--train-gradients-for A,B]

For each ARCH, into DIR/ARCH/:
  weights.safetensors  the state dict of torchvision's model with 10 classes, built under a fixed
                       seed, with BatchNorm running statistics, affine parameters and batch counts
                       randomised so that no BatchNorm is the identity (F32; num_batches_tracked I64);
  outputs.safetensors  `input` (2, 3, 64, 64); `eval_logits`; `train_logits` (BatchNorm on batch
                       statistics, dropout off, since torch's dropout masks cannot be reproduced);
                       `after.KEY` for every buffer after that training forward; for archs in
                       --gradients-for, `r` and the evaluation-mode gradients `eval.grad_input` and
                       `eval.grad.KEY` of L = sum(logits * r); for archs in --train-gradients-for,
                       the same in training mode as `train.grad_input` and `train.grad.KEY`.
Several archs share one process because importing torch takes seconds. Output is deterministic
for a given torch version. Needs torch, torchvision and safetensors.
"""
import argparse
import os
import zlib

import torch
import torch.nn as nn
import torchvision
from safetensors.torch import save_file

CLASSES = 10


def snapshot(tensors):
    # clone: state_dict() shares storage with the live buffers, which the training forward updates.
    return {key: value.detach().clone().contiguous() for key, value in tensors.items()}


def forward(model, x, r, prefix, with_gradients):
    """The logits, and with_gradients the gradients of L = sum(logits * r) under `prefix`."""
    if not with_gradients:
        with torch.no_grad():
            return model(x), {}
    model.zero_grad()
    x = x.clone().requires_grad_(True)
    logits = model(x)
    (logits * r).sum().backward()
    result = {prefix + "grad_input": x.grad}
    for key, parameter in model.named_parameters():
        result[prefix + "grad." + key] = parameter.grad
    return logits, result


def write(arch, directory, eval_gradients, train_gradients):
    torch.manual_seed(zlib.crc32(arch.encode()))
    model = getattr(torchvision.models, arch)(weights=None, num_classes=CLASSES)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.copy_(torch.randn_like(module.running_mean) * 0.1)
                module.running_var.copy_(torch.rand_like(module.running_var) + 0.5)
                module.weight.copy_(1 + torch.randn_like(module.weight) * 0.1)
                module.bias.copy_(torch.randn_like(module.bias) * 0.1)
                module.num_batches_tracked.fill_(int(torch.randint(0, 100, ())))
    weights = snapshot(model.state_dict())
    x = torch.randn(2, 3, 64, 64)
    r = torch.randn(2, CLASSES)
    outputs = {"input": x, "r": r}

    model.eval()
    outputs["eval_logits"], grads = forward(model, x, r, "eval.", eval_gradients)
    outputs.update(grads)

    model.train()
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.eval()
    outputs["train_logits"], grads = forward(model, x, r, "train.", train_gradients)
    outputs.update(grads)
    for key, buffer in model.named_buffers():
        outputs["after." + key] = buffer

    os.makedirs(os.path.join(directory, arch), exist_ok=True)
    metadata = {"arch": arch, "classes": str(CLASSES), "torch": torch.__version__,
                "torchvision": torchvision.__version__}
    save_file(weights, os.path.join(directory, arch, "weights.safetensors"), metadata=metadata)
    save_file(snapshot(outputs), os.path.join(directory, arch, "outputs.safetensors"), metadata=metadata)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archs", nargs="+", metavar="ARCH")
    parser.add_argument("dir", metavar="DIR")
    parser.add_argument("--gradients-for", default="",
                        help="comma-separated archs that get evaluation-mode gradients")
    parser.add_argument("--train-gradients-for", default="",
                        help="comma-separated archs that get training-mode gradients")
    args = parser.parse_args()
    eval_gradients = {name for name in args.gradients_for.split(",") if name}
    train_gradients = {name for name in args.train_gradients_for.split(",") if name}
    for arch in args.archs:
        write(arch, args.dir, arch in eval_gradients, arch in train_gradients)


if __name__ == "__main__":
    main()
