#!/usr/bin/env python3
"""Rewrite a Glimpse GPT-J GGUF (e.g. from `glimpse synth --arch gptj-6b`) in the legacy file format of
ggml's own GPT-J example (ggml/examples/gpt-j), so that both run the same weights side by side.

The block layouts (Q4_0, Q8_0, F16) are ggml's in both formats; only the container and the tensor names
differ. The vocabulary is GPT-2's (raw bytes per token, as the example's converter writes it), padded to
GPT-J's 50400 rows, so that the example's tokenizer turns a text prompt into real token ids.

Needs the `gguf` package from PyPI (`pip install gguf numpy`).

  python3 tools/bench/gguf_to_ggml_gptj.py /tmp/gptj6b-q4_0.gguf /tmp/gptj6b-q4_0.ggml --vocab ../shared/gpt2/vocab.json
"""
import argparse
import json
import os
import struct
import sys
from pathlib import Path

import gguf
import numpy as np

GGML_FILE_MAGIC = 0x67676D6C
GGML_QNT_VERSION = 2
GGML_QNT_VERSION_FACTOR = 1000
# ggml_ftype of a file whose matrices have this ggml_type.
FTYPE_OF_TYPE = {"F32": 0, "F16": 1, "Q4_0": 2, "Q8_0": 7}

RENAME = {
    "token_embd.weight": "transformer.wte.weight",
    "output_norm.weight": "transformer.ln_f.weight",
    "output_norm.bias": "transformer.ln_f.bias",
    "output.weight": "lm_head.weight",
    "output.bias": "lm_head.bias",
}
LAYER_RENAME = {
    "attn_norm.weight": "ln_1.weight", "attn_norm.bias": "ln_1.bias",
    "attn_q.weight": "attn.q_proj.weight", "attn_k.weight": "attn.k_proj.weight",
    "attn_v.weight": "attn.v_proj.weight", "attn_output.weight": "attn.out_proj.weight",
    "ffn_up.weight": "mlp.fc_in.weight", "ffn_up.bias": "mlp.fc_in.bias",
    "ffn_down.weight": "mlp.fc_out.weight", "ffn_down.bias": "mlp.fc_out.bias",
}


def legacy_name(name: str) -> str:
    if name in RENAME:
        return RENAME[name]
    parts = name.split(".", 2)
    if len(parts) == 3 and parts[0] == "blk" and parts[2] in LAYER_RENAME:
        return f"transformer.h.{parts[1]}.{LAYER_RENAME[parts[2]]}"
    raise SystemExit(f"error: {name}: no GPT-J tensor of that name in ggml's example")


def gpt2_token_bytes(vocab_json: Path) -> list[bytes]:
    """GPT-2's vocab.json spells bytes as printable characters; the example wants the raw bytes."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, n = printable[:], 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    decode = {chr(c): b for b, c in zip(printable, chars)}
    vocab = json.loads(vocab_json.read_text())
    tokens = [b""] * len(vocab)
    for text, i in vocab.items():
        tokens[i] = bytes(decode[ch] for ch in text)
    return tokens


def field_int(reader: gguf.GGUFReader, path: Path, key: str) -> int:
    f = reader.fields.get(key)
    if f is None:
        raise SystemExit(f"error: {path}: missing metadata {key} (not a GPT-J GGUF)")
    return int(f.parts[f.data[0]][0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--vocab", type=Path, required=True, help="GPT-2 vocab.json")
    a = ap.parse_args()

    try:
        r = gguf.GGUFReader(str(a.gguf))
    except (OSError, ValueError) as e:
        raise SystemExit(f"error: {a.gguf}: not a readable GGUF file ({e})")
    n_embd = field_int(r, a.gguf, "gptj.embedding_length")
    n_layer = field_int(r, a.gguf, "gptj.block_count")
    n_head = field_int(r, a.gguf, "gptj.attention.head_count")
    n_rot = field_int(r, a.gguf, "gptj.rope.dimension_count")
    n_ctx = field_int(r, a.gguf, "gptj.context_length")
    wte = next((t for t in r.tensors if t.name == "token_embd.weight"), None)
    if wte is None:
        raise SystemExit(f"error: {a.gguf}: no token_embd.weight (not a GPT-J GGUF)")
    n_vocab = int(wte.shape[1])
    wtype = wte.tensor_type.name
    if wtype not in FTYPE_OF_TYPE:
        raise SystemExit(f"error: {a.gguf}: matrices of type {wtype} have no ftype in ggml's GPT-J example")
    ftype = FTYPE_OF_TYPE[wtype] + GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR

    tokens = gpt2_token_bytes(a.vocab)
    tokens += [f"<|pad{i}|>".encode() for i in range(n_vocab - len(tokens))]

    tmp = a.out.with_name(a.out.name + ".part")
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<I", GGML_FILE_MAGIC))
            f.write(struct.pack("<7i", n_vocab, n_ctx, n_embd, n_head, n_layer, n_rot, ftype))
            f.write(struct.pack("<i", n_vocab))
            for tok in tokens[:n_vocab]:
                f.write(struct.pack("<I", len(tok)) + tok)
            for t in r.tensors:
                name = legacy_name(t.name).encode()
                matrix = t.name.endswith(".weight") and len(t.shape) == 2
                expected = wtype if matrix else "F32"
                if t.tensor_type.name != expected:
                    raise SystemExit(f"error: {a.gguf}: {t.name} is {t.tensor_type.name}; ggml's example needs {expected}")
                dims = [int(d) for d in t.shape]
                f.write(struct.pack(f"<3i{len(dims)}i", len(dims), len(name), t.tensor_type.value, *dims))
                f.write(name)
                f.write(np.ascontiguousarray(t.data).tobytes())
        os.replace(tmp, a.out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    print(f"{a.out}: {n_layer} layers, {wtype}, {a.out.stat().st_size / 1e9:.2f} GB", file=sys.stderr)


if __name__ == "__main__":
    main()
