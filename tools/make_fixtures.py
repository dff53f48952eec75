#!/usr/bin/env python3
"""Golden fixtures from PyTorch for Runner's engine tests.

Writes one small safetensors file per case into Tests/LayersTests/Fixtures/: the input, the
layer's parameters, its output, and the gradients of L = sum(output * r) with respect to the
input and every parameter (r is stored too). Buffers such as BatchNorm running statistics are
stored as they are after the forward pass. The `__metadata__` of each file says which layer and
configuration produced it, so the Swift tests can rebuild the same layer.

Needs torch and safetensors (pip install torch safetensors). Run from the repository root:
    python3 tools/make_fixtures.py
The output is deterministic for a given torch version; commit it.
"""
import json
import os
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file
from torchvision.models.resnet import BasicBlock, Bottleneck

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LayersTests", "Fixtures")


class AdaptiveConcatPool2d(nn.Module):
    """fastai's layer: [max, avg] concatenated on channels."""

    def __init__(self, size=1):
        super().__init__()
        self.ap = nn.AdaptiveAvgPool2d(size)
        self.mp = nn.AdaptiveMaxPool2d(size)

    def forward(self, x):
        return torch.cat([self.mp(x), self.ap(x)], 1)


def save(name, tensors, meta):
    tensors = {k: v.detach().clone().contiguous() for k, v in tensors.items()}
    for k, v in tensors.items():
        if v.dtype == torch.float64:
            tensors[k] = v.float()
    meta = {"case": name, "torch": torch.__version__, **{k: json.dumps(v) for k, v in meta.items()}}
    save_file(tensors, os.path.join(OUT, name + ".safetensors"), metadata=meta)


def layer_case(name, module, shape, meta, training=True, inputs=None, randomize_params=True):
    torch.manual_seed(zlib.crc32(name.encode()))
    module.train(training)
    if randomize_params:
        with torch.no_grad():
            for pname, p in module.named_parameters():
                p.copy_(torch.randn_like(p) * (0.5 if "bias" in pname else 1.0) + (1.0 if "weight" in pname and p.dim() == 1 else 0.0))
            for bname, b in module.named_buffers():
                if bname.endswith("running_mean"):
                    b.copy_(torch.randn_like(b) * 0.3)
                elif bname.endswith("running_var"):
                    b.copy_(torch.rand_like(b) + 0.5)
    x = (inputs if inputs is not None else torch.randn(*shape)).clone().requires_grad_(True)
    params_before = {"param." + k: v.detach().clone() for k, v in module.named_parameters()}
    buffers_before = {"buffer_before." + k: v.detach().clone().float() for k, v in module.named_buffers()}
    y = module(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    tensors = {"input": x, "output": y, "r": r, "grad_input": x.grad, **params_before, **buffers_before}
    for k, p in module.named_parameters():
        tensors["grad." + k] = p.grad
    for k, b in module.named_buffers():
        tensors["buffer." + k] = b.float()
    save(name, tensors, {"layer": meta, "training": training})


def layers():
    layer_case("conv_basic", nn.Conv2d(3, 4, 3, padding=1), (2, 3, 7, 7),
               {"type": "conv2d", "in": 3, "out": 4, "kernel": 3, "stride": 1, "padding": 1, "groups": 1, "bias": True})
    layer_case("conv_stride2", nn.Conv2d(3, 5, 3, stride=2, padding=1, bias=False), (2, 3, 9, 8),
               {"type": "conv2d", "in": 3, "out": 5, "kernel": 3, "stride": 2, "padding": 1, "groups": 1, "bias": False})
    layer_case("conv_groups", nn.Conv2d(4, 6, 3, padding=1, groups=2), (2, 4, 6, 6),
               {"type": "conv2d", "in": 4, "out": 6, "kernel": 3, "stride": 1, "padding": 1, "groups": 2, "bias": True})
    layer_case("conv_depthwise", nn.Conv2d(6, 6, 3, stride=2, padding=1, groups=6, bias=False), (2, 6, 7, 7),
               {"type": "conv2d", "in": 6, "out": 6, "kernel": 3, "stride": 2, "padding": 1, "groups": 6, "bias": False})
    layer_case("conv_pointwise", nn.Conv2d(4, 6, 1), (2, 4, 5, 5),
               {"type": "conv2d", "in": 4, "out": 6, "kernel": 1, "stride": 1, "padding": 0, "groups": 1, "bias": True})
    layer_case("conv_7x7", nn.Conv2d(3, 8, 7, stride=2, padding=3, bias=False), (2, 3, 15, 15),
               {"type": "conv2d", "in": 3, "out": 8, "kernel": 7, "stride": 2, "padding": 3, "groups": 1, "bias": False})
    layer_case("bn2d_train", nn.BatchNorm2d(4), (3, 4, 5, 5), {"type": "batchnorm", "dims": 2, "channels": 4})
    layer_case("bn2d_eval", nn.BatchNorm2d(4), (3, 4, 5, 5), {"type": "batchnorm", "dims": 2, "channels": 4},
               training=False)
    layer_case("bn1d_train", nn.BatchNorm1d(6), (5, 6), {"type": "batchnorm", "dims": 1, "channels": 6})
    spread = lambda *s: torch.rand(*s) * 10 - 2
    layer_case("relu", nn.ReLU(), None, {"type": "relu"}, inputs=spread(2, 3, 4, 4))
    layer_case("relu6", nn.ReLU6(), None, {"type": "relu6"}, inputs=spread(2, 3, 4, 4))
    layer_case("maxpool_3s2p1", nn.MaxPool2d(3, 2, 1), (2, 3, 9, 9),
               {"type": "maxpool", "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": False})
    layer_case("maxpool_2s2_ceil", nn.MaxPool2d(2, 2, ceil_mode=True), (2, 3, 7, 7),
               {"type": "maxpool", "kernel": 2, "stride": 2, "padding": 0, "ceil_mode": True})
    layer_case("maxpool_3s2p1_ceil", nn.MaxPool2d(3, 2, 1, ceil_mode=True), (1, 2, 8, 8),
               {"type": "maxpool", "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True})
    layer_case("avgpool_3s2p1", nn.AvgPool2d(3, 2, 1), (2, 3, 9, 9),
               {"type": "avgpool", "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": False, "count_include_pad": True})
    layer_case("avgpool_2s2_ceil", nn.AvgPool2d(2, 2, ceil_mode=True), (2, 3, 7, 7),
               {"type": "avgpool", "kernel": 2, "stride": 2, "padding": 0, "ceil_mode": True, "count_include_pad": True})
    layer_case("avgpool_3s2p1_ceil_nopad", nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (1, 2, 8, 8),
               {"type": "avgpool", "kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False})
    layer_case("adaptive_avg", nn.AdaptiveAvgPool2d((3, 2)), (2, 3, 7, 5), {"type": "adaptive_avg", "size": [3, 2]})
    layer_case("adaptive_max", nn.AdaptiveMaxPool2d((3, 2)), (2, 3, 7, 5), {"type": "adaptive_max", "size": [3, 2]})
    layer_case("concat_pool", AdaptiveConcatPool2d(1), (2, 3, 5, 5), {"type": "concat_pool"})
    layer_case("flatten", nn.Flatten(), (2, 3, 2, 2), {"type": "flatten"})
    layer_case("linear", nn.Linear(6, 4), (3, 6), {"type": "linear", "in": 6, "out": 4, "bias": True})
    layer_case("linear_nobias", nn.Linear(6, 4, bias=False), (3, 6), {"type": "linear", "in": 6, "out": 4, "bias": False})

    torch.manual_seed(11)
    x = torch.randn(4, 10, requires_grad=True)
    y = F.dropout(x, 0.3, training=True)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    save("dropout", {"input": x, "output": y, "r": r, "grad_input": x.grad}, {"layer": {"type": "dropout", "p": 0.3}})

    torch.manual_seed(12)
    a = torch.randn(2, 3, 4, 4, requires_grad=True)
    b = torch.randn(2, 5, 4, 4, requires_grad=True)
    y = torch.cat([a, b], 1)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    save("concat", {"input": a, "input2": b, "output": y, "r": r, "grad_input": a.grad, "grad_input2": b.grad},
         {"layer": {"type": "concat"}})
    a.grad = None
    b2 = torch.randn(2, 3, 4, 4, requires_grad=True)
    y = a + b2
    r = torch.randn_like(y)
    (y * r).sum().backward()
    save("add", {"input": a, "input2": b2, "output": y, "r": r, "grad_input": a.grad, "grad_input2": b2.grad},
         {"layer": {"type": "add"}})

    for smoothing in (0.0, 0.1):
        torch.manual_seed(13)
        logits = (torch.randn(4, 5) * 2).requires_grad_(True)
        target = torch.tensor([0, 3, 4, 1])
        loss = F.cross_entropy(logits, target, label_smoothing=smoothing)
        loss.backward()
        name = "cross_entropy" if smoothing == 0 else "cross_entropy_smooth"
        save(name, {"input": logits, "target": target, "output": loss.reshape(()), "grad_input": logits.grad},
             {"layer": {"type": "cross_entropy", "label_smoothing": smoothing}})


class TinyResNet(nn.Module):
    """conv, bn, relu, maxpool, a BasicBlock, a Bottleneck with downsample, concat-pool, linear."""

    def __init__(self, classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = BasicBlock(8, 8)
        down = nn.Sequential(nn.Conv2d(8, 16, 1, stride=2, bias=False), nn.BatchNorm2d(16))
        self.layer2 = Bottleneck(8, 4, stride=2, downsample=down)
        self.pool = AdaptiveConcatPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.fc(self.flatten(self.pool(self.layer2(self.layer1(x)))))


def network():
    torch.manual_seed(21)
    model = TinyResNet()
    with torch.no_grad():  # non-trivial BN affine parameters, so their gradients are exercised
        for name, p in model.named_parameters():
            if p.dim() == 1 and "bn" in name or "downsample.1" in name:
                p.copy_(torch.rand_like(p) + 0.5 if name.endswith("weight") else torch.randn_like(p) * 0.2)
    state_before = {"state." + k: v.detach().clone() for k, v in model.state_dict().items()}
    model.train()
    x = torch.randn(4, 3, 16, 16, requires_grad=True)
    target = torch.tensor([0, 2, 4, 1])
    logits = model(x)
    loss = F.cross_entropy(logits, target)
    loss.backward()
    tensors = {"input": x, "target": target, "logits": logits, "loss": loss.reshape(()), "grad_input": x.grad,
               **state_before}
    for k, p in model.named_parameters():
        tensors["grad." + k] = p.grad
    for k, b in model.named_buffers():
        tensors["buffer." + k] = b
    model.eval()
    with torch.no_grad():
        tensors["eval_logits"] = model(x)
    save("tiny_resnet", tensors, {"layer": {"type": "tiny_resnet", "classes": 5}})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    layers()
    network()
    print("wrote", len([f for f in os.listdir(OUT) if f.endswith(".safetensors")]), "fixtures to", os.path.normpath(OUT))
