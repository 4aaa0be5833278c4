#!/usr/bin/env python3
"""Rebuilds Fuzz/corpus/<harness>/ from the small committed fixtures under Tests/Fixtures
(plus one hand-made GGUF far smaller than the gguf fixtures, so GGUF mutations run fast).
Run from anywhere: python3 Fuzz/make_corpus.py. Seeds only; libFuzzer's finds go elsewhere (run.sh)."""
import glob, os, shutil, struct, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures")
OUT = os.path.join(ROOT, "Fuzz", "corpus")


def fresh(name):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def copy(d, paths):
    for p in paths:
        shutil.copy(p, os.path.join(d, os.path.relpath(p, FIX).replace(os.sep, "__")))


def fixtures(*patterns):
    return sorted(p for pat in patterns for p in glob.glob(os.path.join(FIX, pat), recursive=True))


def small_gguf():
    """GGUF v3 with every metadata type and one tensor of each ggml type, 32-byte aligned."""
    def s(x):
        b = x.encode()
        return struct.pack("<Q", len(b)) + b
    kv = [
        (s("general.architecture"), 8, s("gptj")),
        (s("general.alignment"), 4, struct.pack("<I", 32)),
        (s("gptj.context_length"), 10, struct.pack("<Q", 64)),
        (s("gptj.attention.layer_norm_epsilon"), 6, struct.pack("<f", 1e-5)),
        (s("x.i8"), 1, struct.pack("<b", -3)), (s("x.u8"), 0, struct.pack("<B", 3)),
        (s("x.i16"), 3, struct.pack("<h", -3)), (s("x.u16"), 2, struct.pack("<H", 3)),
        (s("x.i32"), 5, struct.pack("<i", -3)), (s("x.i64"), 11, struct.pack("<q", -3)),
        (s("x.f64"), 12, struct.pack("<d", 0.5)), (s("x.bool"), 7, b"\x01"),
        (s("tokenizer.ggml.tokens"), 9, struct.pack("<IQ", 8, 3) + s("a") + s("b") + s("<|endoftext|>")),
        (s("x.ints"), 9, struct.pack("<IQ", 5, 2) + struct.pack("<ii", 1, 2)),
        (s("x.nested"), 9, struct.pack("<IQ", 9, 1) + struct.pack("<IQ", 0, 2) + b"\x01\x02"),
    ]
    # (name, dims innermost first, type, bytes)
    tensors = [("f32", [4], 0, 16), ("f16", [8, 2], 1, 32), ("q8_0", [32], 8, 34),
               ("q4_0", [32, 1], 2, 18), ("bf16", [3], 30, 6)]
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv))
    for k, t, v in kv:
        out += k + struct.pack("<I", t) + v
    offset, table, data = 0, b"", b""
    for name, dims, t, n in tensors:
        table += s(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        table += struct.pack("<IQ", t, offset)
        data += bytes((i * 7 + 1) % 256 for i in range(n)) + b"\0" * (-n % 32)
        offset = len(data)
    out += table
    return out + b"\0" * (-len(out) % 32) + data


d = fresh("gguf")
copy(d, fixtures("gguf/tiny-gguf-py-q8_0.gguf"))
open(os.path.join(d, "small-all-types.gguf"), "wb").write(small_gguf())

copy(fresh("safetensors"), fixtures("checkpoints/**/*.safetensors"))

d = fresh("zip")
copy(d, fixtures("checkpoints/**/*.pt", "checkpoints/**/*.bin"))

# Pickles: each data.pkl (and TorchScript constants.pkl) as a bare stream, plus the legacy bare pickle.
d = fresh("unpickler")
for p in fixtures("checkpoints/**/*.pt", "checkpoints/**/*.bin", "vision/**/*.pt"):
    try:
        z = zipfile.ZipFile(p)
    except zipfile.BadZipFile:
        if open(p, "rb").read(1) == b"\x80":  # a pre-1.6 bare pickle (legacy.pt)
            shutil.copy(p, os.path.join(d, os.path.relpath(p, FIX).replace(os.sep, "__")))
        continue
    for info in z.infolist():
        if info.filename.endswith(".pkl") and info.compress_type == zipfile.ZIP_STORED:
            name = os.path.relpath(p, FIX).replace(os.sep, "__") + "__" + os.path.basename(info.filename)
            try:
                data = z.read(info)
            except (OSError, zipfile.BadZipFile):
                continue  # the broken-archive fixtures (their pickles are in the intact ones)
            open(os.path.join(d, name), "wb").write(data)

d = fresh("image")
copy(d, [p for p in fixtures("images/*", "vision/images/*")
         if os.path.splitext(p)[1] in (".jpg", ".png", ".bmp", ".gif", ".webp", ".txt")
         and ".crop" not in p and ".decoded" not in p and "/resize_" not in p])

# Prompts: template, then caption, question and answer values, NUL-separated (see prompt/main.swift).
d = fresh("prompt")
values = ["a dog on a skateboard", "What color is the bus?", "red"]
for p in sorted(glob.glob(os.path.join(ROOT, "prompts", "*.txt"))):
    data = open(p, "rb").read() + b"".join(b"\0" + v.encode() for v in values)
    open(os.path.join(d, os.path.basename(p)), "wb").write(data)

copy(fresh("evaluation"), fixtures("metrics/captions_*.json", "metrics/vqa_annotations.json",
                                   "metrics/vqa_questions.json", "metrics/vqa_results.json"))
