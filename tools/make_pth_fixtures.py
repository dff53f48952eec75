#!/usr/bin/env python3
"""PyTorch checkpoint fixtures for Runner's .pth reader (Tests/LayersTests/Fixtures/pth/).

Written by torch.save itself, in both of its formats:
  squeezenet1_1.pth             zip format (torch >= 1.6), float32 state dict of torchvision's
                                squeezenet1_1 with 10 classes, random weights under a fixed seed
  squeezenet1_1-legacy.pth      the same state dict in the legacy format (torch < 1.6)
  squeezenet1_1-half.pth        the same weights as float16, zip format
  squeezenet1_1.safetensors     the same state dict written by the safetensors library
  squeezenet1_1-logits.safetensors  `input` (2, 3, 64, 64) and torch's eval-mode `logits`
  variants.pth / variants-legacy.pth
                                {"model": {"module.<key>": tensor}, "epoch": 3}: the fastai / DataParallel
                                layout, with float32, float16, bfloat16, float64 and int64 tensors, two
                                tensors sharing one storage at different offsets, a transposed
                                (non-contiguous) view and a 0-d tensor
  variants.safetensors          the expected values of every variant tensor (contiguous, as float32
                                except `count`, int64), keyed without the prefix
  foreign-global.pth            a zip checkpoint whose pickle calls os.system (never run by Runner)
  foreign-global-legacy.pth     the same in the legacy format, calling builtins.eval
  int64-extremes.pth            int64 tensors at 2**63-1 and -2**63, which a Float cannot hold
  hostile-*.pth                 legacy files written field by field (no torch.save), with views that
                                a careless reader overflows on or expands without bound: an empty
                                view at offset 2**62, an empty view of sizes (0, 2**32, 2**32), and a
                                stride-0 view of 2**31-1 values over one stored value

Needs torch, torchvision and safetensors. Run from the repository root:
    python3 tools/make_pth_fixtures.py
"""
import io
import os
import pickle
import struct
import zlib

import torch
import torchvision
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LayersTests", "Fixtures", "pth")


class SystemCall:
    """Pickles as a call to os.system, as a malicious checkpoint would."""

    def __reduce__(self):
        return (os.system, ("echo this-must-never-run",))


class EvalCall:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("1+1",))


def squeezenet():
    torch.manual_seed(zlib.crc32(b"squeezenet1_1"))
    model = torchvision.models.squeezenet1_1(weights=None, num_classes=10).eval()
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    torch.save(model.state_dict(), os.path.join(OUT, "squeezenet1_1.pth"))
    torch.save(model.state_dict(), os.path.join(OUT, "squeezenet1_1-legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save({k: v.half() for k, v in model.state_dict().items()}, os.path.join(OUT, "squeezenet1_1-half.pth"))
    save_file(state, os.path.join(OUT, "squeezenet1_1.safetensors"))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        logits = model(x)
    save_file({"input": x, "logits": logits.contiguous()}, os.path.join(OUT, "squeezenet1_1-logits.safetensors"))


def variants():
    torch.manual_seed(7)
    shared = torch.randn(40)
    matrix = torch.randn(3, 5)
    tensors = {
        "conv.weight": torch.randn(4, 3, 3, 3),
        "half": torch.randn(2, 6).half(),
        "bfloat": torch.randn(5).bfloat16(),
        "double": torch.randn(3, 2).double(),
        "count": torch.tensor(12345678901, dtype=torch.int64),
        "shared.a": shared[2:12].view(2, 5),     # storage offset 2
        "shared.b": shared[20:36],               # same storage, offset 20
        "transposed": matrix.t(),                # strides (1, 5)
        "scalar": torch.tensor(2.5),
    }
    wrapped = {"model": {"module." + k: v for k, v in tensors.items()}, "epoch": 3}
    torch.save(wrapped, os.path.join(OUT, "variants.pth"))
    torch.save(wrapped, os.path.join(OUT, "variants-legacy.pth"), _use_new_zipfile_serialization=False)
    expected = {k: (v.contiguous() if v.dtype == torch.int64 else v.float().contiguous()).clone()
                for k, v in tensors.items()}
    save_file(expected, os.path.join(OUT, "variants.safetensors"))


def foreign():
    torch.save({"weight": torch.zeros(2), "payload": SystemCall()}, os.path.join(OUT, "foreign-global.pth"))
    torch.save({"weight": torch.zeros(2), "payload": EvalCall()}, os.path.join(OUT, "foreign-global-legacy.pth"),
               _use_new_zipfile_serialization=False)


class Storage:
    """A storage as torch's legacy persistent id names it."""

    def __init__(self, key, values):
        self.key = key
        self.values = values


class View:
    """Pickles as torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, __import__("collections").OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


def legacy(name, obj, storages):
    """The legacy layout by hand: magic, protocol, system info, object, keys, then each storage."""
    out = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001,
                   {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle.dump(header, out, protocol=2)

    class Writer(pickle.Pickler):
        def persistent_id(self, value):
            if isinstance(value, Storage):
                return ("storage", torch.FloatStorage, value.key, "cpu", len(value.values), None)
            return None

    Writer(out, protocol=2).dump(obj)
    pickle.dump([s.key for s in storages], out, protocol=2)
    for storage in storages:
        out.write(struct.pack("<q", len(storage.values)))
        out.write(struct.pack("<%df" % len(storage.values), *storage.values))
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(out.getvalue())


def hostile():
    one = Storage("0", [1.5])
    legacy("hostile-empty-offset.pth", {"w": View(one, 2**62, (0,), (1,))}, [one])
    legacy("hostile-empty-huge.pth", {"w": View(one, 0, (0, 2**32, 2**32), (1, 1, 1))}, [one])
    legacy("hostile-broadcast.pth", {"w": View(one, 0, (2**31 - 1,), (0,))}, [one])
    torch.save({"n": torch.tensor([2**63 - 1, -2**63], dtype=torch.int64)}, os.path.join(OUT, "int64-extremes.pth"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    squeezenet()
    variants()
    foreign()
    hostile()
