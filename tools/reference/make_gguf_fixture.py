"""Write the "tiny" GPT-J fixture model as GGUF with gguf-py, the way llama.cpp's converter would.

Reads Tests/Fixtures/gptj/tiny/hf-safetensors/ (run make_gptj_fixtures.py first) and writes:

  Tests/Fixtures/gguf/tiny-gguf-py-f32.gguf    every tensor F32            (general.file_type 0)
  Tests/Fixtures/gguf/tiny-gguf-py-q8_0.gguf   2-D weights Q8_0 (token_embd and output
                                               included), norms and biases F32 (file_type 7)
  Tests/Fixtures/gguf/tiny-gguf-py.expected.json
      what GGUFReader reports for both files: header (version, counts, alignment,
      data_offset), every metadata key with its GGUF type and value (arrays: length, element
      type and first 5 items), every tensor's name, ggml type, shape (ggml order, ne[0]
      first), offset and the sha256 of its data bytes.

Conventions (from gguf-py's constants and llama.cpp's convert_hf_to_gguf.py):
  * tensor names: token_embd, blk.N.attn_norm (.weight/.bias = ln_1), blk.N.attn_q/k/v,
    blk.N.attn_output, blk.N.ffn_up (= mlp.fc_in), blk.N.ffn_down (= mlp.fc_out),
    output_norm (= ln_f), output (= lm_head, with .bias). GPT-J has no ffn_norm: the MLP
    reads the same ln_1 output as attention (parallel residual).
  * tensor data is the HF (out_features, in_features) row-major array; in GGUF order the
    shape is [in_features, out_features].
  * tokenizer.ggml.tokens is padded from the tokenizer's 400 entries to vocab_size (512)
    with "[PAD{i}]" tokens of type UNUSED (5), as get_vocab_base() does;
    tokenizer.ggml.pre = "gpt-2"; general.quantization_version = 2.

Run from the repo root:  venv/bin/python tools/reference/make_gguf_fixture.py
"""

import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FIXTURES, write_json  # noqa: E402
from gguf_common import (  # noqa: E402
    ARCH,
    expected_vocab,
    load_hf_config,
    load_hf_weights,
    load_merges,
    n_ff,
    quantize_for,
    tensor_name_map,
)

import gguf  # noqa: E402
from gguf import GGMLQuantizationType as QT  # noqa: E402

HF_DIR = FIXTURES / "gptj" / "tiny" / "hf-safetensors"
OUT = FIXTURES / "gguf"

FILE_TYPES = {QT.F32: gguf.LlamaFileType.ALL_F32, QT.F16: gguf.LlamaFileType.MOSTLY_F16,
              QT.BF16: gguf.LlamaFileType.MOSTLY_BF16, QT.Q8_0: gguf.LlamaFileType.MOSTLY_Q8_0,
              QT.Q4_0: gguf.LlamaFileType.MOSTLY_Q4_0}


def write_gguf(hf_dir: Path, path: Path, qtype) -> None:
    cfg = load_hf_config(hf_dir)
    tokens, types, tokenizer_size = expected_vocab(hf_dir, cfg)
    merges = load_merges(hf_dir)

    # Cross-check with gguf-py's SpecialVocab, which is what llama.cpp's converter uses.
    sv = gguf.SpecialVocab(hf_dir, load_merges=True, n_vocab=cfg["vocab_size"])
    assert sv.merges == merges, "merges.txt and SpecialVocab disagree"
    assert sv.special_token_ids.get("bos") == cfg["bos_token_id"]
    assert sv.special_token_ids.get("eos") == cfg["eos_token_id"]

    w = gguf.GGUFWriter(str(path), ARCH)  # writes general.architecture = "gptj"
    w.add_name(f"Glimpse {Path(hf_dir).parent.name} GPT-J")
    w.add_context_length(cfg["n_positions"])
    w.add_embedding_length(cfg["n_embd"])
    w.add_block_count(cfg["n_layer"])
    w.add_feed_forward_length(n_ff(cfg))
    w.add_rope_dimension_count(cfg["rotary_dim"])
    w.add_head_count(cfg["n_head"])
    w.add_layer_norm_eps(cfg["layer_norm_epsilon"])
    w.add_file_type(int(FILE_TYPES[qtype]))
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)

    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types([t[0] for t in types])
    w.add_token_merges(merges)
    w.add_bos_token_id(cfg["bos_token_id"])
    w.add_eos_token_id(cfg["eos_token_id"])
    if "unk" in sv.special_token_ids:  # SpecialVocab adds it when tokenizer files name one
        w.add_unk_token_id(sv.special_token_ids["unk"])

    weights = load_hf_weights(hf_dir)
    names = tensor_name_map(cfg["n_layer"])
    assert set(weights) == set(names), set(weights) ^ set(names)
    for hf_name in names:  # token_embd, blk.0 .. blk.N-1, output_norm, output
        data, raw_dtype = quantize_for(hf_name, weights[hf_name], qtype)
        if raw_dtype == QT.F32:
            w.add_tensor(names[hf_name], data)
        else:
            w.add_tensor(names[hf_name], data, raw_dtype=raw_dtype)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def jsonable(v):
    if isinstance(v, (np.generic,)):
        return v.item()
    return v


def describe(path: Path) -> dict:
    r = gguf.GGUFReader(str(path))
    kvs = []
    for name, f in r.fields.items():
        if name.startswith("GGUF."):
            continue
        entry = {"key": name, "type": f.types[0].name}
        if f.types[0] == gguf.GGUFValueType.ARRAY:
            entry["element_type"] = f.types[-1].name
            entry["length"] = len(f.data)
            entry["first"] = [jsonable(x) for x in f.contents(slice(0, 5))]
        else:
            entry["value"] = jsonable(f.contents())
        kvs.append(entry)
    tensors = []
    for t in r.tensors:
        raw = np.asarray(r.data[t.data_offset: t.data_offset + t.n_bytes]).tobytes()
        tensors.append({
            "name": t.name,
            "type": t.tensor_type.name,
            "type_id": int(t.tensor_type),
            "shape": [int(d) for d in t.shape],
            "n_elements": int(t.n_elements),
            "n_bytes": int(t.n_bytes),
            "offset": int(t.data_offset - r.data_offset),
            "sha256": hashlib.sha256(raw).hexdigest(),
        })
    return {
        "file": path.name,
        "size_bytes": path.stat().st_size,
        "version": int(r.fields["GGUF.version"].contents()),
        "tensor_count": len(r.tensors),
        "kv_count": len(kvs),
        "alignment": int(r.alignment),
        "data_offset": int(r.data_offset),
        "metadata": kvs,
        "tensors": tensors,
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    files = {QT.F32: OUT / "tiny-gguf-py-f32.gguf", QT.Q8_0: OUT / "tiny-gguf-py-q8_0.gguf"}
    for qtype, path in files.items():
        write_gguf(HF_DIR, path, qtype)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    write_json(
        OUT / "tiny-gguf-py.expected.json",
        {
            "source_hf_dir": "Tests/Fixtures/gptj/tiny/hf-safetensors",
            "gguf_py_version": getattr(gguf, "__version__", None) or _gguf_version(),
            "files": [describe(p) for p in files.values()],
        },
    )
    print("wrote", OUT / "tiny-gguf-py.expected.json")


def _gguf_version() -> str:
    from importlib.metadata import version

    return version("gguf")


if __name__ == "__main__":
    main()
