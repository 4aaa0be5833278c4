"""Verify a GGUF written by Glimpse's converter against the HF GPT-J directory it came from.

Usage (from the repo root):
  python tools/reference/check_gguf_roundtrip.py FILE.gguf HF_DIR [--type T] [--lenient-types]
  python tools/reference/check_gguf_roundtrip.py --selftest HF_DIR

FILE.gguf is the output of `glimpse convert lm --from HF_DIR --out FILE.gguf --type T`.
Everything expected is derived from HF_DIR alone (config.json, vocab.json, merges.txt,
tokenizer files, *.safetensors / pytorch_model*.bin), read with gguf-py's GGUFReader:

  metadata   general.architecture == "gptj"; gptj.context_length/embedding_length/
             block_count/feed_forward_length/rope.dimension_count/attention.head_count
             (UINT32) and gptj.attention.layer_norm_epsilon (FLOAT32) equal config.json;
             tokenizer.ggml.model == "gpt2"; tokenizer.ggml.tokens identical to vocab.json in
             id order (+ added tokens), optionally padded to vocab_size with "[PAD{i}]";
             tokenizer.ggml.token_type consistent (CONTROL for <|endoftext|>, NORMAL otherwise,
             UNUSED/USER_DEFINED for padding); tokenizer.ggml.merges identical to merges.txt;
             bos/eos ids equal config.json; general.file_type consistent with --type.
  tensors    exactly the GPT-J tensor set under gguf-py's names, each with the HF shape
             reversed (ggml order); 1-D tensors F32; 2-D tensors of the requested type
             (F16 when a row is not a multiple of the block size).
  data       F32: bitwise equal to the HF weight (upcast from f16/bf16 if stored so);
             F16 / BF16: bitwise equal to gguf.quants.quantize(f32 weight) (numpy's
             round-to-nearest-even cast, ggml's fp32->bf16 rounding);
             Q8_0 / Q4_0 / other gguf-py quant types: raw block bytes identical to
             gguf.quants.quantize(f32 weight, type), i.e. ggml's reference quantizer.

Prints one line per check ("ok" / "FAIL") and exits 1 on any failure.

--selftest HF_DIR writes gguf-py reference files for f32, f16, bf16, q8_0 and q4_0 into a
temporary directory (with make_gguf_fixture.write_gguf), checks each of them, and checks that
mismatches are caught: a flipped data byte, a q8_0 file checked as q4_0, and an HF directory
whose merges.txt has two ranks swapped.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gguf_common import (  # noqa: E402
    ARCH,
    KV,
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
from gguf import GGUFValueType as VT  # noqa: E402

TYPE_NAMES = {"f32": QT.F32, "f16": QT.F16, "bf16": QT.BF16, "q8_0": QT.Q8_0, "q4_0": QT.Q4_0}
FILE_TYPE_OF = {QT.F32: gguf.LlamaFileType.ALL_F32, QT.F16: gguf.LlamaFileType.MOSTLY_F16,
                QT.BF16: gguf.LlamaFileType.MOSTLY_BF16, QT.Q8_0: gguf.LlamaFileType.MOSTLY_Q8_0,
                QT.Q4_0: gguf.LlamaFileType.MOSTLY_Q4_0}
TYPE_OF_FILE_TYPE = {int(v): k for k, v in FILE_TYPE_OF.items()}


class Checker:
    def __init__(self, verbose: bool = True):
        self.failures = 0
        self.verbose = verbose

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if not ok:
            self.failures += 1
        if self.verbose or not ok:
            print(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail else ""))
        return ok


def field_value(reader, key):
    f = reader.get_field(key)
    if f is None:
        return None, None
    return f.types, f.contents()


def check_scalar(c, reader, key, vtype, expected, approx_f32=False):
    types, value = field_value(reader, key)
    if types is None:
        return c.check(False, key, "missing")
    if types[0] != vtype:
        return c.check(False, key, f"type {types[0].name}, expected {vtype.name}")
    if approx_f32:
        ok = np.float32(value) == np.float32(expected)
    else:
        ok = value == expected
    return c.check(ok, key, f"{value!r}" + ("" if ok else f" != expected {expected!r}"))


def check_metadata(c, reader, hf_dir: Path, cfg: dict, qtype):
    check_scalar(c, reader, KV["arch"], VT.STRING, ARCH)
    check_scalar(c, reader, KV["context_length"], VT.UINT32, cfg["n_positions"])
    check_scalar(c, reader, KV["embedding_length"], VT.UINT32, cfg["n_embd"])
    check_scalar(c, reader, KV["block_count"], VT.UINT32, cfg["n_layer"])
    check_scalar(c, reader, KV["feed_forward_length"], VT.UINT32, n_ff(cfg))
    check_scalar(c, reader, KV["rope_dims"], VT.UINT32, cfg["rotary_dim"])
    check_scalar(c, reader, KV["head_count"], VT.UINT32, cfg["n_head"])
    check_scalar(c, reader, KV["ln_eps"], VT.FLOAT32, cfg["layer_norm_epsilon"], approx_f32=True)
    check_scalar(c, reader, KV["tok_model"], VT.STRING, "gpt2")
    check_scalar(c, reader, KV["bos"], VT.UINT32, cfg["bos_token_id"])
    check_scalar(c, reader, KV["eos"], VT.UINT32, cfg["eos_token_id"])
    if reader.get_field(KV["tok_pre"]) is not None:
        _, pre = field_value(reader, KV["tok_pre"])
        c.check(isinstance(pre, str), KV["tok_pre"], repr(pre) + " (informational)")

    types, ft = field_value(reader, KV["file_type"])
    if types is None:
        c.check(False, KV["file_type"], "missing")
    else:
        c.check(types[0] == VT.UINT32 and ft == int(FILE_TYPE_OF[qtype]), KV["file_type"],
                f"{ft} (expected {int(FILE_TYPE_OF[qtype])} for {qtype.name})")

    # Vocabulary.
    exp_tokens, exp_types, tok_size = expected_vocab(hf_dir, cfg)
    types, tokens = field_value(reader, KV["tokens"])
    if types is None or types[0] != VT.ARRAY or types[-1] != VT.STRING:
        c.check(False, KV["tokens"], "missing or not an array of strings")
        tokens = None
    else:
        n = len(tokens)
        if n not in (tok_size, len(exp_tokens)):
            c.check(False, KV["tokens"], f"{n} entries; expected {tok_size} (tokenizer) or "
                                         f"{len(exp_tokens)} (padded to vocab_size)")
        else:
            bad = [i for i in range(n) if tokens[i] != exp_tokens[i]]
            form = "unpadded" if n == tok_size and n != len(exp_tokens) else f"padded with [PAD{{i}}] to {n}"
            c.check(not bad, KV["tokens"], f"{n} entries ({tok_size} from the tokenizer, {form})"
                    + (f"; first mismatch at id {bad[0]}: {tokens[bad[0]]!r} != {exp_tokens[bad[0]]!r}" if bad else ""))
    types, ttypes = field_value(reader, KV["token_types"])
    if types is None or types[0] != VT.ARRAY or types[-1] != VT.INT32:
        c.check(False, KV["token_types"], "missing or not an array of INT32")
    elif tokens is not None:
        if len(ttypes) != len(tokens):
            c.check(False, KV["token_types"], f"{len(ttypes)} entries for {len(tokens)} tokens")
        else:
            bad = [i for i in range(len(ttypes)) if ttypes[i] not in exp_types[i]]
            c.check(not bad, KV["token_types"], f"{len(ttypes)} entries"
                    + (f"; first mismatch at id {bad[0]}: {ttypes[bad[0]]} not in {exp_types[bad[0]]}" if bad else ""))
    types, merges = field_value(reader, KV["merges"])
    exp_merges = load_merges(hf_dir)
    if types is None or types[0] != VT.ARRAY or types[-1] != VT.STRING:
        c.check(False, KV["merges"], "missing or not an array of strings")
    else:
        bad = [i for i in range(min(len(merges), len(exp_merges))) if merges[i] != exp_merges[i]]
        ok = len(merges) == len(exp_merges) and not bad
        c.check(ok, KV["merges"], f"{len(merges)} merges (merges.txt has {len(exp_merges)})"
                + (f"; first mismatch at rank {bad[0]}: {merges[bad[0]]!r} != {exp_merges[bad[0]]!r}" if bad else ""))


def expected_data(arr: np.ndarray, ggml_type) -> np.ndarray:
    """The bytes the tensor must hold, from the HF array (any float dtype)."""
    f32 = np.ascontiguousarray(arr.astype(np.float32))
    return np.ascontiguousarray(gguf.quants.quantize(f32, ggml_type))


def check_tensors(c, reader, hf_dir: Path, cfg: dict, qtype, lenient_types: bool):
    weights = load_hf_weights(hf_dir)
    names = tensor_name_map(cfg["n_layer"])
    c.check(set(weights) == set(names), "HF weights", f"{len(weights)} parameters in {hf_dir}"
            + ("" if set(weights) == set(names) else f"; unexpected/missing {sorted(set(weights) ^ set(names))}"))
    by_name = {t.name: t for t in reader.tensors}
    expected_names = set(names.values())
    missing = sorted(expected_names - set(by_name))
    extra = sorted(set(by_name) - expected_names)
    c.check(not missing and not extra, "tensor set",
            f"{len(by_name)} tensors" + (f"; missing {missing}" if missing else "") + (f"; extra {extra}" if extra else ""))

    n_data_ok = n_shape_ok = n_type_ok = 0
    type_counts = {}
    for hf_name, gg_name in names.items():
        if gg_name not in by_name or hf_name not in weights:
            continue
        t = by_name[gg_name]
        arr = weights[hf_name]
        shape = [int(d) for d in t.shape]
        if shape != list(reversed(arr.shape)):
            c.check(False, f"shape {gg_name}", f"{shape}, expected HF {list(arr.shape)} reversed")
            continue
        n_shape_ok += 1
        type_counts[t.tensor_type.name] = type_counts.get(t.tensor_type.name, 0) + 1
        _, want_type = quantize_for(hf_name, arr, qtype)
        if t.tensor_type == want_type:
            n_type_ok += 1
        elif lenient_types:
            print(f"note {gg_name}: type {t.tensor_type.name}, policy expects {want_type.name} (--lenient-types)")
        else:
            c.check(False, f"type {gg_name}", f"{t.tensor_type.name}, expected {want_type.name}")
        try:
            want = expected_data(arr, t.tensor_type)
        except NotImplementedError:
            c.check(False, f"data {gg_name}", f"gguf-py cannot quantize {t.tensor_type.name}")
            continue
        got = np.asarray(reader.data[t.data_offset: t.data_offset + t.n_bytes])
        want_bytes = want.view(np.uint8).reshape(-1)
        if got.size == want_bytes.size and np.array_equal(got, want_bytes):
            n_data_ok += 1
        else:
            detail = f"{t.tensor_type.name}: {got.size} bytes vs expected {want_bytes.size}"
            if got.size == want_bytes.size:
                diff = np.nonzero(got != want_bytes)[0]
                detail += f"; {diff.size} bytes differ, first at byte {diff[0]}"
            c.check(False, f"data {gg_name}", detail)
    total = len(names)
    c.check(n_shape_ok == total, "tensor shapes", f"{n_shape_ok}/{total} match")
    c.check(n_type_ok == total or lenient_types, "tensor types",
            f"{n_type_ok}/{total} follow the policy for {qtype.name}; found {type_counts}")
    c.check(n_data_ok == total, "tensor data", f"{n_data_ok}/{total} bitwise identical to the reference")


def run_check(gguf_path: Path, hf_dir: Path, type_name, lenient_types=False, verbose=True) -> int:
    c = Checker(verbose)
    cfg = load_hf_config(hf_dir)
    reader = gguf.GGUFReader(str(gguf_path))
    if type_name:
        qtype = TYPE_NAMES[type_name.lower()]
    else:
        _, ft = field_value(reader, KV["file_type"])
        qtype = TYPE_OF_FILE_TYPE.get(ft)
        if qtype is None:
            c.check(False, "output type", f"cannot infer from general.file_type={ft}; pass --type")
            return c.failures
        if verbose:
            print(f"info output type {qtype.name} (from general.file_type={ft})")
    if verbose:
        print(f"info {gguf_path} vs {hf_dir}")
    check_metadata(c, reader, Path(hf_dir), cfg, qtype)
    check_tensors(c, reader, Path(hf_dir), cfg, qtype, lenient_types)
    print(f"{'PASS' if c.failures == 0 else 'FAIL'} {gguf_path.name}: {c.failures} failed check(s)")
    return c.failures


def selftest(hf_dir: Path) -> int:
    from make_gguf_fixture import write_gguf

    tmp = Path(tempfile.mkdtemp(prefix="gguf-selftest-"))
    failures = 0
    try:
        for name, qt in TYPE_NAMES.items():
            path = tmp / f"ref-{name}.gguf"
            write_gguf(hf_dir, path, qt)
            failures += run_check(path, hf_dir, name, verbose=False)
        # Negative tests: these must be rejected.
        src = tmp / "ref-q8_0.gguf"
        r = gguf.GGUFReader(str(src))
        t = next(t for t in r.tensors if t.name == "blk.0.attn_q.weight")
        bad = tmp / "flipped.gguf"
        shutil.copyfile(src, bad)
        with open(bad, "r+b") as f:
            f.seek(t.data_offset + 5)
            b = f.read(1)
            f.seek(t.data_offset + 5)
            f.write(bytes([b[0] ^ 0x01]))
        print("expecting a failure (flipped byte):")
        n = run_check(bad, hf_dir, "q8_0", verbose=False)
        failures += 0 if n > 0 else 1
        # A q8_0 file checked as q4_0: file_type and tensor types must be rejected.
        print("expecting a failure (wrong type requested):")
        n = run_check(src, hf_dir, "q4_0", verbose=False)
        failures += 0 if n > 0 else 1
        print("expecting a failure (merges.txt with two ranks swapped):")
        hf2 = tmp / "hf-swapped"
        shutil.copytree(hf_dir, hf2)
        lines = (hf2 / "merges.txt").read_text(encoding="utf-8").split("\n")
        first = next(i for i, ln in enumerate(lines) if ln and not ln.startswith("#version"))
        lines[first], lines[first + 1] = lines[first + 1], lines[first]
        (hf2 / "merges.txt").write_text("\n".join(lines), encoding="utf-8")
        if (hf2 / "tokenizer.json").exists():
            (hf2 / "tokenizer.json").unlink()
        n = run_check(src, hf2, "q8_0", verbose=False)
        failures += 0 if n > 0 else 1
    finally:
        shutil.rmtree(tmp)
    print(f"{'PASS' if failures == 0 else 'FAIL'} selftest on {hf_dir}")
    return failures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gguf", nargs="?", help="GGUF file written by glimpse convert lm")
    ap.add_argument("hf_dir", nargs="?", help="the HF directory it was converted from")
    ap.add_argument("--type", choices=sorted(TYPE_NAMES), help="the --type given to the converter "
                    "(default: inferred from general.file_type)")
    ap.add_argument("--lenient-types", action="store_true",
                    help="only report tensors whose type differs from the policy (data is still checked)")
    ap.add_argument("--selftest", metavar="HF_DIR", help="check gguf-py-written files made from HF_DIR")
    args = ap.parse_args()
    if args.selftest:
        sys.exit(1 if selftest(Path(args.selftest)) else 0)
    if not args.gguf or not args.hf_dir:
        ap.error("FILE.gguf and HF_DIR are required")
    sys.exit(1 if run_check(Path(args.gguf), Path(args.hf_dir), args.type, args.lenient_types) else 0)


if __name__ == "__main__":
    main()
