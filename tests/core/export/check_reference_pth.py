"""Python's side of `pix2pix export --pth`: torch.load returns a mapping of tensors whose keys, order, shapes
and dtypes are the reference's (from the fixture's meta.json) and whose values equal the reference file's.

    python3 check_reference_pth.py EXPORTED.pth FIXTURE_DIR
"""
import json
import sys

import torch

exported_path, fixture = sys.argv[1], sys.argv[2]
meta = json.load(open(f"{fixture}/meta.json"))
exported = torch.load(exported_path, map_location="cpu")
reference = torch.load(f"{fixture}/{meta['weights']['file']}", map_location="cpu")

assert isinstance(exported, dict), f"torch.load gave {type(exported).__name__}, not a mapping"
assert all(isinstance(v, torch.Tensor) for v in exported.values()), "a value is not a tensor"
assert list(exported.keys()) == list(reference.keys()), (
    f"keys differ: only exported {sorted(set(exported) - set(reference))}, "
    f"only reference {sorted(set(reference) - set(exported))}, or another order")
listed = meta["weights"]["tensors"]  # as PyTorch listed the reference's state dict
assert [t["key"] for t in listed] == list(exported.keys()), "keys or their order differ from meta.json"
for t in listed:
    got = exported[t["key"]]
    assert list(got.shape) == t["shape"], f"{t['key']}: shape {list(got.shape)} != {t['shape']}"
    assert str(got.dtype).replace("torch.", "") == t["dtype"], f"{t['key']}: dtype {got.dtype} != {t['dtype']}"
for name, value in reference.items():
    got = exported[name]
    assert got.dtype == value.dtype, f"{name}: dtype {got.dtype} != {value.dtype}"
    assert torch.equal(got, value), f"{name}: values differ"
# What a user does with it: load_state_dict into a module with the same names (strict).
module = torch.nn.Module()
for name, value in reference.items():
    parent = module
    *path, leaf = name.split(".")
    for part in path:
        if not hasattr(parent, part):
            parent.add_module(part, torch.nn.Module())
        parent = getattr(parent, part)
    parent.register_buffer(leaf, torch.zeros_like(value))
module.load_state_dict(exported, strict=True)
print(f"ok: {len(exported)} tensors, keys, order, shapes, dtypes and values match {fixture}")
