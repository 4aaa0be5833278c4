#!/usr/bin/env python3
"""Writes tiny checkpoint fixtures for Tests/ConversionTests into Tests/Fixtures/checkpoints/.

Valid fixtures come from torch.save / safetensors, each with a JSON file of expected tensors
(name, dtype, shape, flat values). Hostile fixtures are assembled from raw bytes; no crafted
pickle is ever loaded by Python.

Run with: venv/bin/python tools/reference/make_checkpoint_fixtures.py
"""
import collections
import io
import json
import os
import shutil
import struct
import zipfile
import zlib

import torch
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "checkpoints")

DTYPE_NAMES = {
    torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16", torch.float64: "f64",
    torch.int64: "i64", torch.int32: "i32", torch.int16: "i16", torch.int8: "i8",
    torch.uint8: "u8", torch.bool: "bool",
}


def path(*parts):
    return os.path.join(OUT, *parts)


def expected_entry(name, t):
    t = t.detach()
    if t.dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        values = t.double().reshape(-1).tolist()  # exact: every source value is a double
    else:
        values = [int(v) for v in t.long().reshape(-1).tolist()]
    return {"name": name, "dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "values": values}


def write_expected(filename, entries):
    with open(path(filename), "w") as f:
        json.dump({"tensors": entries}, f, indent=1)
        f.write("\n")


def base_state_dict():
    """Several dtypes and shapes, a view with a storage offset, and two tensors sharing a storage."""
    big = torch.arange(12, dtype=torch.float32) * 0.5
    shared = torch.arange(6, dtype=torch.float32).reshape(2, 3) - 2.5
    sd = collections.OrderedDict()
    sd["f32_matrix"] = torch.tensor([[1.5, -2.0, 0.25], [3.0, 4.125, -0.5]], dtype=torch.float32)
    sd["f16_vector"] = torch.tensor([0.5, -1.25, 65504.0, 6.103515625e-05, 5.960464477539063e-08], dtype=torch.float16)
    sd["bf16_vector"] = torch.tensor([1.0, -3.5, 1.0e30, 0.0078125], dtype=torch.bfloat16)
    sd["f64_vector"] = torch.tensor([0.1, -1.0e300], dtype=torch.float64)
    sd["i64_scalar"] = torch.tensor(-1234567890123, dtype=torch.int64)
    sd["i32_vector"] = torch.tensor([1, -2, 2147483647], dtype=torch.int32)
    sd["i16_vector"] = torch.tensor([-32768, 7], dtype=torch.int16)
    sd["i8_vector"] = torch.tensor([-128, 127, 0], dtype=torch.int8)
    sd["u8_vector"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    sd["bool_vector"] = torch.tensor([True, False, True])
    sd["slice_view"] = big[4:7]  # torch.save keeps all 12 elements; storage offset 4
    sd["shared_base"] = shared
    sd["shared_row"] = shared[1]  # same storage as shared_base, offset 3
    sd["empty"] = torch.zeros(0, 3)
    sd["param"] = torch.nn.Parameter(torch.tensor([0.125, -0.375]))
    return sd


def zip_stored(filename, entries):
    """entries: list of (name, bytes). Stored (uncompressed) like torch.save."""
    with zipfile.ZipFile(path(filename), "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in entries:
            z.writestr(name, data)


def read_zip(filename):
    with zipfile.ZipFile(path(filename)) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def write_zip64(filename, entries):
    """A ZIP64 archive even though it is tiny: 0xFFFFFFFF sizes/offsets with ZIP64 extra fields,
    a ZIP64 end-of-central-directory record and locator (what torch writes for files > 4 GiB)."""
    buf, cd = bytearray(), bytearray()
    for name, data in entries:
        off, nb, crc = len(buf), name.encode(), zlib.crc32(data)
        extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        buf += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                           len(nb), len(extra)) + nb + extra + data
        cextra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), off)
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                          len(nb), len(cextra), 0, 0, 0, 0, 0xFFFFFFFF) + nb + cextra
    cd_off = len(buf)
    buf += cd
    z64 = len(buf)
    n = len(entries)
    buf += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(cd), cd_off)
    buf += struct.pack("<IIQI", 0x07064B50, 0, z64, 1)
    buf += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(path(filename), "wb") as f:
        f.write(buf)


def safetensors_order(filename):
    """Tensor names of a .safetensors file sorted by data offset (the reader's 'file order')."""
    with open(path(filename), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    header.pop("__metadata__", None)
    return [k for k, _ in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])]


def make_valid():
    sd = base_state_dict()
    entries = [expected_entry(k, v) for k, v in sd.items()]
    torch.save(sd, path("state_dict.pt"))
    write_expected("state_dict.pt.json", entries)
    torch.save(sd, path("state_dict_p4.pt"), pickle_protocol=4)
    write_expected("state_dict_p4.pt.json", entries)
    write_zip64("zip64.pt", read_zip("state_dict.pt"))
    write_expected("zip64.pt.json", entries)
    # torch.load must agree that the hand-made ZIP64 archive is valid (it is our own bytes).
    reloaded = torch.load(path("zip64.pt"), weights_only=True)
    assert all(torch.equal(reloaded[k], sd[k]) for k in sd)

    # Nested: a module state dict (has _metadata -> BUILD), a list, and non-tensor leaves.
    torch.manual_seed(0)
    linear = torch.nn.Linear(3, 2)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[0.5, -1.0, 2.0], [0.25, 0.0, -4.0]]))
        linear.bias.copy_(torch.tensor([1.0, -1.0]))
    nested = {"model": linear.state_dict(), "epoch": 7, "note": "hi",
              "layers": [torch.tensor([1, 2], dtype=torch.int64), torch.tensor([True])]}
    torch.save(nested, path("nested.pt"), pickle_protocol=4)
    write_expected("nested.pt.json", [
        expected_entry("model.weight", linear.weight), expected_entry("model.bias", linear.bias),
        expected_entry("layers.0", nested["layers"][0]), expected_entry("layers.1", nested["layers"][1]),
    ])

    st = collections.OrderedDict((k, v.detach().clone().contiguous()) for k, v in sd.items())
    save_file(st, path("state_dict.safetensors"), metadata={"format": "pt"})
    order = safetensors_order("state_dict.safetensors")
    write_expected("state_dict.safetensors.json", [expected_entry(k, st[k]) for k in order])


def make_sharded():
    a = collections.OrderedDict([("w1", torch.tensor([1.0, 2.0])), ("w2", torch.tensor([[3, 4]], dtype=torch.int32))])
    b = collections.OrderedDict([("w3", torch.tensor([0.5], dtype=torch.float16))])
    for kind, ext, index_name, save in [
        ("safetensors", "safetensors", "model.safetensors.index.json", lambda t, p: save_file(t, p)),
        ("torch", "bin", "pytorch_model.bin.index.json", lambda t, p: torch.save(t, p)),
    ]:
        d = path(f"sharded_{kind}")
        os.makedirs(d, exist_ok=True)
        names = [f"model-0000{i}-of-00002.{ext}" for i in (1, 2)]
        save(a, os.path.join(d, names[0]))
        save(b, os.path.join(d, names[1]))
        weight_map = {"w1": names[0], "w2": names[0], "w3": names[1]}
        with open(os.path.join(d, index_name), "w") as f:
            json.dump({"metadata": {"total_size": 14}, "weight_map": weight_map}, f, indent=1)
    write_expected("sharded.json", [expected_entry(k, v) for k, v in list(a.items()) + list(b.items())])

    d = path("sharded_missing")
    os.makedirs(d, exist_ok=True)
    save_file(a, os.path.join(d, "model-00001-of-00001.safetensors"))
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"weight_map": {"w1": "model-00001-of-00001.safetensors",
                                  "absent": "model-00001-of-00001.safetensors"}}, f)


def evil_zip(filename, pickle_bytes):
    stem = filename.split(".")[0]
    zip_stored(filename, [(f"{stem}/data.pkl", pickle_bytes), (f"{stem}/byteorder", b"little")])


def make_hostile():
    # GLOBAL 'os system' + REDUCE: what a malicious pickle does to run a shell command.
    evil_zip("evil_global.pt", b"\x80\x02cos\nsystem\nX\x0a\x00\x00\x00echo pwned\x85R.")
    # Protocol 4: STACK_GLOBAL from two memoized SHORT_BINUNICODE strings, inside a FRAME.
    body = b"\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c\x0aecho pwned\x94\x85\x94R\x94."
    evil_zip("evil_stack_global.pt", b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body)
    evil_zip("unknown_opcode.pt", b"\x80\x02}q\x00\xff.")  # 0xff at offset 5
    evil_zip("deep_marks.pt", b"\x80\x02" + b"(" * 5000 + b".")
    evil_zip("deep_lists.pt", b"\x80\x02" + b"]" * 3000 + b"a" * 2999 + b".")

    transposed = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()
    torch.save({"transposed": transposed}, path("non_contiguous.pt"))
    torch.save({"w": torch.ones(2)}, path("legacy.pt"), _use_new_zipfile_serialization=False)

    entries = read_zip("state_dict.pt")
    with zipfile.ZipFile(path("compressed.pt"), "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    zip_stored("big_endian.pt", [(n, b"big" if n.endswith("/byteorder") else d) for n, d in entries])
    # data/0 is f32_matrix's 24-byte storage; keep only 8 bytes of it.
    zip_stored("storage_too_small.pt", [(n, d[:8] if n.endswith("/data/0") else d) for n, d in entries])
    zip_stored("missing_storage.pt", [(n, d) for n, d in entries if not n.endswith("/data/1")])

    raw = open(path("state_dict.pt"), "rb").read()
    with open(path("truncated.pt"), "wb") as f:
        f.write(raw[: len(raw) // 2])
    # torch (miniz) always ends with a ZIP64 record + locator + EOCD; point both copies of the
    # central directory offset past the end of the file.
    eocd, zip64 = raw.rfind(b"PK\x05\x06"), raw.rfind(b"PK\x06\x06")
    assert zip64 > 0, "expected torch.save to write a ZIP64 end record"
    bad = bytearray(raw)
    struct.pack_into("<I", bad, eocd + 16, len(raw) + 1000)
    struct.pack_into("<Q", bad, zip64 + 48, len(raw) + 1000)
    with open(path("bad_central_directory.pt"), "wb") as f:
        f.write(bad)

    header = json.dumps({"w": {"dtype": "F32", "shape": [100], "data_offsets": [0, 400]}}).encode()
    with open(path("bad_offsets.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    with open(path("huge_header.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 2**62) + b'{"w": {}}')


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    make_valid()
    make_sharded()
    make_hostile()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
