"""GGUF helpers shared by make_gguf_fixture.py and check_gguf_roundtrip.py (not a script).

What an HF GPT-J directory implies for a GGUF file, following llama.cpp's conventions
(gguf-py's MODEL_ARCH.GPTJ tensor names, convert_hf_to_gguf.py's vocabulary handling).
"""

import json
from pathlib import Path

import numpy as np

import gguf
from gguf.constants import MODEL_ARCH, MODEL_ARCH_NAMES, MODEL_TENSOR, TENSOR_NAMES, Keys

ARCH = MODEL_ARCH_NAMES[MODEL_ARCH.GPTJ]  # "gptj"


def load_hf_config(hf_dir: Path) -> dict:
    return json.loads((Path(hf_dir) / "config.json").read_text(encoding="utf-8"))


def n_ff(cfg: dict) -> int:
    return cfg["n_inner"] if cfg.get("n_inner") is not None else 4 * cfg["n_embd"]


def load_vocab(hf_dir: Path) -> list:
    """Token strings of vocab.json in id order (byte-level unicode form, exactly as stored)."""
    vocab = json.loads((Path(hf_dir) / "vocab.json").read_text(encoding="utf-8"))
    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    assert [i for _, i in by_id] == list(range(len(by_id))), "vocab.json ids are not 0..n-1"
    return [t for t, _ in by_id]


def load_merges(hf_dir: Path) -> list:
    """merges.txt lines ("a b"), without the "#version" header and blank lines."""
    lines = (Path(hf_dir) / "merges.txt").read_text(encoding="utf-8").split("\n")
    return [ln for ln in lines if ln and not ln.startswith("#version")]


def added_tokens(hf_dir: Path) -> dict:
    """id -> (content, special or None if unknown) from tokenizer.json, tokenizer_config.json
    (added_tokens_decoder) and added_tokens.json, whichever exist."""
    hf_dir = Path(hf_dir)
    out = {}
    p = hf_dir / "added_tokens.json"
    if p.exists():
        for content, i in json.loads(p.read_text(encoding="utf-8")).items():
            out[int(i)] = (content, None)
    p = hf_dir / "tokenizer_config.json"
    if p.exists():
        for i, at in json.loads(p.read_text(encoding="utf-8")).get("added_tokens_decoder", {}).items():
            out[int(i)] = (at["content"], bool(at.get("special", False)))
    p = hf_dir / "tokenizer.json"
    if p.exists():
        for at in json.loads(p.read_text(encoding="utf-8")).get("added_tokens", []):
            out[int(at["id"])] = (at["content"], bool(at.get("special", False)))
    return out


def expected_vocab(hf_dir: Path, cfg: dict):
    """(tokens, allowed token types per id, tokenizer_size) as llama.cpp's
    convert_hf_to_gguf.py get_vocab_base() writes them: the tokenizer's entries in id order,
    padded to config vocab_size with "[PAD{i}]" of type UNUSED (older llama.cpp: USER_DEFINED).
    Added special tokens (and <|endoftext|>) are CONTROL, other added tokens USER_DEFINED
    (CONTROL accepted when the files do not say), everything else NORMAL.
    The first allowed type is the one llama.cpp writes today."""
    T = gguf.TokenType
    base = load_vocab(hf_dir)
    added = added_tokens(hf_dir)
    tokens, types = [], []
    size = max([len(base)] + [i + 1 for i in added])
    for i in range(max(cfg["vocab_size"], size)):
        if i in added and (i >= len(base) or added[i][0] == base[i]):
            content, special = added[i]
            tokens.append(content)
            if special or content == "<|endoftext|>":
                types.append((int(T.CONTROL),))
            elif special is None:
                types.append((int(T.USER_DEFINED), int(T.CONTROL)))
            else:
                types.append((int(T.USER_DEFINED),))
        elif i < len(base):
            tokens.append(base[i])
            types.append((int(T.CONTROL),) if base[i] == "<|endoftext|>" else (int(T.NORMAL),))
        else:
            tokens.append(f"[PAD{i}]")
            types.append((int(T.UNUSED), int(T.USER_DEFINED)))
    return tokens, types, size


def tensor_name_map(n_layer: int) -> dict:
    """HF GPT-J parameter name -> GGUF tensor name, from gguf-py's constants."""
    t = lambda kind, bid=None: TENSOR_NAMES[kind].format(bid=bid)  # noqa: E731
    # Logical order: embeddings, blocks, final norm, head.
    m = {"transformer.wte.weight": t(MODEL_TENSOR.TOKEN_EMBD) + ".weight"}
    for b in range(n_layer):
        p = f"transformer.h.{b}."
        m[p + "ln_1.weight"] = t(MODEL_TENSOR.ATTN_NORM, b) + ".weight"
        m[p + "ln_1.bias"] = t(MODEL_TENSOR.ATTN_NORM, b) + ".bias"
        m[p + "attn.q_proj.weight"] = t(MODEL_TENSOR.ATTN_Q, b) + ".weight"
        m[p + "attn.k_proj.weight"] = t(MODEL_TENSOR.ATTN_K, b) + ".weight"
        m[p + "attn.v_proj.weight"] = t(MODEL_TENSOR.ATTN_V, b) + ".weight"
        m[p + "attn.out_proj.weight"] = t(MODEL_TENSOR.ATTN_OUT, b) + ".weight"
        m[p + "mlp.fc_in.weight"] = t(MODEL_TENSOR.FFN_UP, b) + ".weight"
        m[p + "mlp.fc_in.bias"] = t(MODEL_TENSOR.FFN_UP, b) + ".bias"
        m[p + "mlp.fc_out.weight"] = t(MODEL_TENSOR.FFN_DOWN, b) + ".weight"
        m[p + "mlp.fc_out.bias"] = t(MODEL_TENSOR.FFN_DOWN, b) + ".bias"
    m["transformer.ln_f.weight"] = t(MODEL_TENSOR.OUTPUT_NORM) + ".weight"
    m["transformer.ln_f.bias"] = t(MODEL_TENSOR.OUTPUT_NORM) + ".bias"
    m["lm_head.weight"] = t(MODEL_TENSOR.OUTPUT) + ".weight"
    m["lm_head.bias"] = t(MODEL_TENSOR.OUTPUT) + ".bias"
    # Cross-check against gguf-py's own HF -> GGUF mapping and the GPT-J tensor list.
    tmap = gguf.get_tensor_name_map(MODEL_ARCH.GPTJ, n_layer)
    allowed = {TENSOR_NAMES[k] for k in gguf.MODEL_TENSORS[MODEL_ARCH.GPTJ]}
    for hf, gg in m.items():
        assert tmap.get_name(hf, try_suffixes=(".weight", ".bias")) == gg, (hf, gg)
        base = gg.rsplit(".", 1)[0]
        assert any(base == a.format(bid=b) for a in allowed for b in range(n_layer)), gg
    return m


LEGACY_BUFFER_SUFFIXES = (".attn.bias", ".attn.masked_bias")


def load_hf_weights(hf_dir: Path) -> dict:
    """All HF parameters as float32 numpy arrays (safetensors, sharded or not, or .bin)."""
    hf_dir = Path(hf_dir)
    out = {}
    st_files = sorted(hf_dir.glob("*.safetensors"))
    if st_files:
        from safetensors import safe_open

        for f in st_files:
            with safe_open(str(f), framework="pt") as sf:
                for k in sf.keys():
                    v = sf.get_tensor(k)
                    out[k] = v.float().numpy() if str(v.dtype) == "torch.bfloat16" else v.numpy()
    else:
        import torch

        for f in sorted(hf_dir.glob("pytorch_model*.bin")):
            for k, v in torch.load(str(f), map_location="cpu", weights_only=True).items():
                if k.endswith(LEGACY_BUFFER_SUFFIXES):
                    continue
                out[k] = v.float().numpy() if v.dtype == torch.bfloat16 else v.numpy()
    return out


def quantize_for(name: str, arr: np.ndarray, qtype) -> tuple:
    """(data, raw_dtype) as llama.cpp's converter would store one tensor for an output type:
    1-D tensors (norms, biases) stay F32; 2-D weights get the requested type (falling back
    to F16 when the row is not a multiple of the block size)."""
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if arr.ndim == 1 or qtype == gguf.GGMLQuantizationType.F32:
        return arr, gguf.GGMLQuantizationType.F32
    if qtype in (gguf.GGMLQuantizationType.F16, gguf.GGMLQuantizationType.BF16):
        return gguf.quants.quantize(arr, qtype), qtype
    block, _ = gguf.GGML_QUANT_SIZES[qtype]
    if arr.shape[-1] % block != 0:
        return gguf.quants.quantize(arr, gguf.GGMLQuantizationType.F16), gguf.GGMLQuantizationType.F16
    return gguf.quants.quantize(arr, qtype), qtype


def key(fmt: str) -> str:
    return fmt.format(arch=ARCH)


KV = {
    "arch": Keys.General.ARCHITECTURE,
    "name": Keys.General.NAME,
    "file_type": Keys.General.FILE_TYPE,
    "quant_version": Keys.General.QUANTIZATION_VERSION,
    "context_length": key(Keys.LLM.CONTEXT_LENGTH),
    "embedding_length": key(Keys.LLM.EMBEDDING_LENGTH),
    "block_count": key(Keys.LLM.BLOCK_COUNT),
    "feed_forward_length": key(Keys.LLM.FEED_FORWARD_LENGTH),
    "rope_dims": key(Keys.Rope.DIMENSION_COUNT),
    "head_count": key(Keys.Attention.HEAD_COUNT),
    "ln_eps": key(Keys.Attention.LAYERNORM_EPS),
    "tok_model": Keys.Tokenizer.MODEL,
    "tok_pre": Keys.Tokenizer.PRE,
    "tokens": Keys.Tokenizer.LIST,
    "token_types": Keys.Tokenizer.TOKEN_TYPE,
    "merges": Keys.Tokenizer.MERGES,
    "bos": Keys.Tokenizer.BOS_ID,
    "eos": Keys.Tokenizer.EOS_ID,
    "unk": Keys.Tokenizer.UNK_ID,
}
