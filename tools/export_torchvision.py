#!/usr/bin/env python3
"""Exports a torchvision classifier's state dict to safetensors, for Runner to load by key.

    python3 tools/export_torchvision.py ARCH OUT.safetensors [--random --seed S] [--num-classes N]

ARCH is a torchvision constructor name that Runner builds (resnet18, vgg16_bn, densenet121,
squeezenet1_1, mobilenet_v2, ...). Without --random the DEFAULT pretrained weights are written
(torchvision downloads them, so this needs a network the first time); with --random the model is
torchvision's own random initialisation under torch.manual_seed(S). Floating tensors are
written as F32 and BatchNorm's num_batches_tracked as I64, with the keys of the uncut model, e.g.
`layer3.0.downsample.1.running_mean`. DenseNet checkpoints from before torchvision 0.3 are
renamed on load by torchvision itself, so the exported keys are always the current ones.

Needs torch, torchvision and safetensors (pip install torch torchvision safetensors).
"""
import argparse
import sys

import torch
import torchvision
from safetensors.torch import save_file

ARCHITECTURES = [
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn", "alexnet",
    "squeezenet1_0", "squeezenet1_1",
    "densenet121", "densenet161", "densenet169", "densenet201",
    "mobilenet_v2",
]


def build(arch, random, seed, num_classes):
    constructor = getattr(torchvision.models, arch)
    if random:
        torch.manual_seed(seed)
        return constructor(weights=None, num_classes=num_classes), "random (torch.manual_seed(%d))" % seed
    if num_classes != 1000:
        # The pretrained heads have 1000 outputs; Runner replaces the head itself when it cuts the body.
        sys.exit("pretrained weights have 1000 classes; use --random for --num-classes %d" % num_classes)
    weights = torchvision.models.get_model_weights(arch).DEFAULT
    try:
        return constructor(weights=weights), str(weights)
    except Exception as error:  # the download is the usual failure: say so, then stop
        sys.exit("cannot load %s (is the network reachable?): %s" % (weights, error))


def state_dict_for_safetensors(model):
    tensors = {}
    for key, value in model.state_dict().items():
        value = value.detach().cpu().contiguous()
        tensors[key] = value.to(torch.int64) if key.endswith("num_batches_tracked") else value.to(torch.float32)
    return tensors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("arch", choices=ARCHITECTURES)
    parser.add_argument("out", help="the .safetensors file to write")
    parser.add_argument("--random", action="store_true", help="seeded random weights instead of pretrained ones")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-classes", type=int, default=1000)
    args = parser.parse_args()
    if args.num_classes < 1:
        parser.error("--num-classes must be at least 1")

    model, source = build(args.arch, args.random, args.seed, args.num_classes)
    tensors = state_dict_for_safetensors(model)
    metadata = {
        "arch": args.arch,
        "weights": source,
        "num_classes": str(args.num_classes),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }
    save_file(tensors, args.out, metadata=metadata)
    parameters = sum(p.numel() for p in model.parameters())
    print("%s: %d tensors, %d parameters, %s -> %s" % (args.arch, len(tensors), parameters, source, args.out))


if __name__ == "__main__":
    main()
