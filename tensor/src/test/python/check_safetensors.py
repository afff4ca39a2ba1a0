#!/usr/bin/env python3
"""Independent check of safetensors files (numpy + json + struct only; no `safetensors` package).

Applies the reference reader's rules (huggingface/safetensors: header <= 100,000,000 bytes,
UTF-8 JSON object starting with '{', no duplicate keys, string-only __metadata__, each tensor's
byte range equal to numel * dtype size, ranges tiling the data section with no hole or overlap)
and prints every tensor. Used by hand to cross-check the Java writer; the project's tests are Java.

    python3 tensor/src/test/python/check_safetensors.py FILE_OR_INDEX_JSON...
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError(f"duplicate keys in {keys}")
    return dict(pairs)


def bf16(raw):
    return (np.frombuffer(raw, "<u2").astype("<u4") << 16).view("<f4")


def read(path):
    b = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", b[:8])
    assert n <= 100_000_000 and 8 + n <= len(b), f"bad header length {n}"
    text = b[8:8 + n].decode("utf-8")
    assert text.startswith("{"), "header must start with '{'"
    header = json.loads(text, object_pairs_hook=no_duplicates)
    meta = header.pop("__metadata__", None)
    assert meta is None or all(isinstance(v, str) for v in meta.values())
    at = 0
    out = {}
    for name, info in sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"])):
        s, e = info["data_offsets"]
        assert s == at and e >= s, f"{name}: offsets {s, e} do not follow {at}"
        size = 2 if info["dtype"] == "BF16" else np.dtype(DTYPES[info["dtype"]]).itemsize
        assert e - s == int(np.prod(info["shape"], dtype=np.int64)) * size, f"{name}: size mismatch"
        assert (8 + n + s) % size == 0, f"{name}: unaligned"
        raw = b[8 + n + s:8 + n + e]
        a = bf16(raw) if info["dtype"] == "BF16" else np.frombuffer(raw, DTYPES[info["dtype"]])
        out[name] = (info["dtype"], a.reshape(info["shape"]))
        at = e
    assert 8 + n + at == len(b), "data section has bytes that belong to no tensor"
    assert n % 8 == 0, "header not padded to 8 (allowed, but our writer and HF's pad)"
    return meta, out


def main():
    for arg in sys.argv[1:]:
        files = [arg]
        if arg.endswith(".json"):
            index = json.loads(Path(arg).read_text())
            print(arg, "metadata", index["metadata"])
            files = sorted({str(Path(arg).parent / f) for f in index["weight_map"].values()})
        for f in files:
            meta, tensors = read(f)
            print(f, "metadata", meta)
            for name, (dt, a) in tensors.items():
                print(f"  {name} {dt} {list(a.shape)} {a.ravel().tolist()}")


if __name__ == "__main__":
    main()
