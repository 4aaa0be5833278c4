"""Build small GPT-J checkpoints (one briefly trained, one random) and their float32 references.

Produces, under Tests/Fixtures/gptj/:

  tiny/                       byte-level BPE tokenizer trained here (~400 entries),
                              GPTJConfig(vocab_size=512, n_embd=64, n_layer=3, n_head=4,
                              rotary_dim=8, n_inner=None -> 256), float32 weights, trained
                              here as a causal LM on TRAINING_TEXT (see train_tiny) so that its
                              next-token distributions are peaked like a real LM's
    hf-safetensors/           config.json, model.safetensors, vocab.json, merges.txt,
                              tokenizer.json, tokenizer_config.json, special_tokens_map.json
    hf-sharded/               same weights as model-0000K-of-0000N.safetensors +
                              model.safetensors.index.json
    hf-bin/                   same weights as pytorch_model.bin (torch.save zip format) plus the
                              legacy buffers transformer.h.N.attn.bias (bool, (1,1,32,32)) and
                              transformer.h.N.attn.masked_bias (scalar float32 -1e9)
    hf-bin-sharded/           pytorch_model-0000K-of-00002.bin + pytorch_model.bin.index.json
                              (legacy buffers included)
    reference.json            see README.md for the schema
    case{i}_logits.npy        (T, 512) logits of every prompt position
    tf{i}_logits.npy          (64, 512) teacher-forced logits of 64-token windows of
                              TRAINING_TEXT

  gpt2vocab/                  the genuine GPT-2 tokenizer (../shared/gpt2), GPTJConfig(
                              vocab_size=50400, n_embd=32, n_layer=2, n_head=4, rotary_dim=4)
    hf/                       config.json, model.safetensors (float16), vocab.json, merges.txt,
                              tokenizer_config.json, special_tokens_map.json
    reference.json
    case{i}_logits.npy        (1, 50400) logits of the last prompt position

All references are computed on CPU in float32 (model.eval(), torch.no_grad()); the gpt2vocab
references come from the model loaded back from the float16 file and upcast to float32.
Greedy decoding is a manual loop (full recompute each step) that masks ids >= tokenizer_size
to -inf before argmax and does not stop at EOS.

Run from the repo root:  venv/bin/python tools/reference/make_gptj_fixtures.py
"""

import json
import shutil
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    ENDOFTEXT,
    FIXTURES,
    GPT2_DIR,
    quiet_env,
    save_npy_f32,
    seed_everything,
    token_bytes,
    write_json,
)

quiet_env()

import torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import ByteLevelBPETokenizer  # noqa: E402
from transformers import GPT2TokenizerFast, GPTJConfig, GPTJForCausalLM  # noqa: E402

OUT = FIXTURES / "gptj"
N_GREEDY = 32

# A few KB of varied English. It trains the tiny byte-level BPE tokenizer, and then the tiny
# model itself (train_tiny), which learns it almost by heart.
TRAINING_TEXT = [
    "The quick brown fox jumps over the lazy dog. The dog did not seem to mind.",
    "Once upon a time, in a small village by the sea, there lived an old fisherman "
    "who went out every morning before the sun rose. He knew the tides, the winds and "
    "the moods of the water better than anyone else in the village.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, "
    "it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity.",
    "To make a simple loaf of bread, mix flour, water, salt and yeast. Knead the dough for "
    "ten minutes, let it rise for an hour, shape it, and bake it in a hot oven until golden.",
    "The meeting is scheduled for Tuesday at 3 PM in room 204. Please bring your notes, "
    "your laptop, and any questions you have about the new project timeline.",
    "Scientists have discovered that some birds can navigate using the magnetic field of the "
    "Earth. They seem to sense it through special cells in their eyes and beaks.",
    "\"Where are you going?\" she asked. \"To the market,\" he replied, \"I'll be back soon.\"",
    "She's been working here for years, and they're all very happy with what she's done. "
    "We've seen the results, and you'll see them too. I'm sure it'd help.",
    "In 1969, humans walked on the Moon for the first time. Millions of people watched the "
    "grainy pictures on television and listened to the voices crackling across space.",
    "The river winds through the valley, past farms and forests, until it reaches the city. "
    "There, bridges of stone and steel carry people and cars from one bank to the other.",
    "Computers process information using bits, which can be either zero or one. Programs are "
    "lists of instructions that tell the computer what to do with those bits.",
    "A good teacher listens carefully, explains things clearly, and encourages students to ask "
    "questions. Learning is easier when people feel safe to make mistakes.",
    "The weather today will be cloudy in the morning, with a chance of rain in the afternoon. "
    "Temperatures will stay between twelve and eighteen degrees.",
    "He opened the old wooden box and found a stack of letters tied with a red ribbon. The "
    "paper was yellow and the ink had faded, but the words were still clear.",
    "Music can change the way we feel. A slow song may make us sad, while a fast one can make "
    "us want to dance, sing, or simply smile for no reason at all.",
    "The library opens at nine o'clock and closes at six. Children can borrow up to five books "
    "at a time, and adults can borrow as many as ten.",
    "Mountains are formed when the plates of the Earth push against each other over millions "
    "of years, folding and lifting the rock high into the sky.",
    "Please remember to turn off the lights when you leave the room, and close the windows if "
    "it starts to rain. Thank you for helping us save energy.",
    "The cat sat on the mat. The cat was black and white, and it liked to sleep in the sun "
    "near the window, where the light was warm and bright.",
    "Our team won the game by two points in the final minute. Everyone cheered, and the coach "
    "said it was the best match he had seen in many years.",
]

# Repeat the corpus a few times so every useful merge reaches min_frequency.
TRAINING_CORPUS = [line for _ in range(3) for line in TRAINING_TEXT]

TINY_CASES = [
    ("The quick brown fox", " jumps over the lazy dog."),
    ("Once upon a time, in a small village", " by the sea, there lived"),
    ("Scientists have discovered that", " some birds can navigate."),
    ("She's been working here for years, and they're", " all very happy."),
]

GPT2VOCAB_CASES = [
    ("The capital of France is", " Paris, a city on the Seine."),
    ("She didn't know what the café's owner meant", " when he said it'd rain."),
    ("In 1969, humans walked on the Moon", " for the first time."),
]


# The tiny model's training run (train_tiny): AdamW on random 64-token windows of TRAINING_TEXT.
# A random model's next-token distributions are flat, so its top-2 logit margins are tiny and even
# Q8_0 rounding flips a few percent of its argmaxes. Trained, the model has peaked distributions
# on this text, as a real LM has on ordinary text, and quantization barely moves its argmax.
TRAIN_SEED = 4321
TRAIN_STEPS = 400
TRAIN_BATCH = 16
TRAIN_WINDOW = 64
TRAIN_LR = 3e-3          # peak; linear warm-up over TRAIN_WARMUP steps, then cosine decay to 0
TRAIN_WARMUP = 20
TRAIN_WEIGHT_DECAY = 0.01
TRAIN_INIT_STD = 0.02    # std of the tiny model's matrices and embeddings before training

# ---------------------------------------------------------------------------
# Model construction


def init_weights(model: torch.nn.Module, seed: int, matrix_std: float = 0.1) -> None:
    """matrix_std normal for matrices/embeddings, 1 + 0.1*noise for LayerNorm weights,
    0.05*noise for biases. The untrained gpt2vocab model keeps std 0.1, a wide spread, so that
    its greedy argmax is not a near tie."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g, dtype=torch.float32)
            if name.endswith(".bias"):
                p.copy_(0.05 * noise)
            elif p.dim() == 1:  # LayerNorm weight
                p.copy_(1.0 + 0.1 * noise)
            else:  # Linear weight or embedding
                p.copy_(matrix_std * noise)


def make_model(config: GPTJConfig, seed: int, matrix_std: float = 0.1) -> GPTJForCausalLM:
    torch.manual_seed(seed)
    model = GPTJForCausalLM(config).to(torch.float32)
    init_weights(model, seed, matrix_std)
    model.eval()
    # GPT-J's lm_head is NOT tied to wte (tie_word_embeddings=False).
    assert model.lm_head.weight.data_ptr() != model.transformer.wte.weight.data_ptr()
    assert not torch.equal(model.lm_head.weight, model.transformer.wte.weight)
    return model


def corpus_ids(tok, paragraphs, eos_id: int) -> list:
    """Each paragraph tokenized on its own and followed by <|endoftext|>, all concatenated."""
    ids = []
    for text in paragraphs:
        ids += tok(text, add_special_tokens=False)["input_ids"] + [eos_id]
    return ids


def train_tiny(model: GPTJForCausalLM, ids: list) -> dict:
    """Deterministic CPU training (one thread, fixed seeds, deterministic algorithms) as a causal
    LM: each step takes TRAIN_BATCH windows of TRAIN_WINDOW + 1 tokens at seeded random offsets
    of `ids` and minimizes the mean next-token cross-entropy over the full vocab_size."""
    import math
    import time

    torch.use_deterministic_algorithms(True)
    g = torch.Generator().manual_seed(TRAIN_SEED)
    data = torch.tensor(ids, dtype=torch.long)
    opt = torch.optim.AdamW(model.parameters(), lr=TRAIN_LR, betas=(0.9, 0.95),
                            weight_decay=TRAIN_WEIGHT_DECAY)
    vocab = model.config.vocab_size
    model.train()
    t0 = time.perf_counter()
    losses = []
    for step in range(TRAIN_STEPS):
        lr = TRAIN_LR * min(1.0, (step + 1) / TRAIN_WARMUP) * 0.5 * (1 + math.cos(math.pi * step / TRAIN_STEPS))
        for group in opt.param_groups:
            group["lr"] = lr
        starts = torch.randint(0, len(ids) - TRAIN_WINDOW, (TRAIN_BATCH,), generator=g)
        batch = torch.stack([data[s: s + TRAIN_WINDOW + 1] for s in starts.tolist()])
        logits = model(batch[:, :-1]).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % 100 == 0 or step == TRAIN_STEPS - 1:
            print(f"  step {step:4d}  loss {losses[-1]:.4f}")
    model.eval()
    torch.use_deterministic_algorithms(False)
    stats = {"seconds": time.perf_counter() - t0, "final_loss": sum(losses[-20:]) / 20}
    print(f"  trained {TRAIN_STEPS} steps in {stats['seconds']:.1f} s, mean loss of the last 20 steps "
          f"{stats['final_loss']:.4f}")
    return stats


def state_dict_f32(model) -> "OrderedDict[str, torch.Tensor]":
    return OrderedDict((k, v.detach().clone().contiguous()) for k, v in model.state_dict().items())


# ---------------------------------------------------------------------------
# Tokenizer files


def train_tiny_tokenizer(tmp: Path) -> Path:
    tok = ByteLevelBPETokenizer()  # GPT-2 pre-tokenizer regex, add_prefix_space=False
    tok.train_from_iterator(
        TRAINING_CORPUS,
        vocab_size=400,
        min_frequency=2,
        special_tokens=[ENDOFTEXT],
        show_progress=False,
    )
    tmp.mkdir(parents=True, exist_ok=True)
    tok.save_model(str(tmp))  # vocab.json + merges.txt ("#version: 0.2" header)
    return tmp


def write_tokenizer_files(src: Path, dst: Path, with_tokenizer_json: bool) -> None:
    """vocab.json + merges.txt copied verbatim, tokenizer_config.json (and tokenizer.json)
    as transformers' save_pretrained writes them, plus a transformers-4 style
    special_tokens_map.json."""
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "vocab.json", dst / "vocab.json")
    shutil.copyfile(src / "merges.txt", dst / "merges.txt")
    tok = GPT2TokenizerFast.from_pretrained(str(src))
    tok.save_pretrained(str(dst))
    # transformers 5 leaks from_pretrained kwargs into tokenizer_config.json; drop them.
    tc_path = dst / "tokenizer_config.json"
    tc = json.loads(tc_path.read_text())
    for key in ("is_local", "local_files_only"):
        tc.pop(key, None)
    write_json(tc_path, tc)
    if not with_tokenizer_json and (dst / "tokenizer.json").exists():
        (dst / "tokenizer.json").unlink()
    write_json(
        dst / "special_tokens_map.json",
        {"bos_token": ENDOFTEXT, "eos_token": ENDOFTEXT, "unk_token": ENDOFTEXT},
    )


# ---------------------------------------------------------------------------
# Checkpoint writers


def add_legacy_buffers(sd, config) -> "OrderedDict[str, torch.Tensor]":
    """Insert the buffers old GPT-J checkpoints carry (ignored by loaders) after each ln_1."""
    out = OrderedDict()
    mask = torch.tril(torch.ones((32, 32), dtype=torch.bool)).view(1, 1, 32, 32)
    for k, v in sd.items():
        out[k] = v
        if k.endswith(".ln_1.bias"):
            prefix = k[: -len("ln_1.bias")]
            out[prefix + "attn.bias"] = mask.clone()
            out[prefix + "attn.masked_bias"] = torch.tensor(-1e9, dtype=torch.float32)
    return out


def legacy_config(cfg: dict) -> dict:
    """config.json as transformers 4 wrote it for GPT-J checkpoints (EleutherAI/gpt-j-6B style):
    "torch_dtype" instead of "dtype", plus legacy keys a loader must ignore."""
    out = {k: v for k, v in cfg.items() if k not in ("dtype", "transformers_version")}
    out["torch_dtype"] = cfg.get("dtype", "float32")
    out.update({"gradient_checkpointing": False, "rotary": True, "scale_attn_weights": True,
                "tokenizer_class": "GPT2Tokenizer", "transformers_version": "4.18.0.dev0"})
    return dict(sorted(out.items()))


def write_bin(model, config, dst: Path) -> None:
    sd = add_legacy_buffers(state_dict_f32(model), config)
    torch.save(sd, dst / "pytorch_model.bin")  # zip format, pickle protocol 2


def write_bin_sharded(model, config, dst: Path) -> None:
    sd = add_legacy_buffers(state_dict_f32(model), config)
    keys = list(sd.keys())
    # Shard 1: embeddings + first layer; shard 2: the rest (like transformers 4 did by size).
    split = next(i for i, k in enumerate(keys) if k.startswith("transformer.h.1."))
    shards = [keys[:split], keys[split:]]
    weight_map = {}
    total = 0
    for i, names in enumerate(shards, start=1):
        fname = f"pytorch_model-{i:05d}-of-{len(shards):05d}.bin"
        torch.save(OrderedDict((k, sd[k]) for k in names), dst / fname)
        for k in names:
            weight_map[k] = fname
            total += sd[k].numel() * sd[k].element_size()
    write_json(dst / "pytorch_model.bin.index.json", {"metadata": {"total_size": total}, "weight_map": weight_map})


def load_model(path: Path) -> GPTJForCausalLM:
    m = GPTJForCausalLM.from_pretrained(str(path), dtype=torch.float32)
    m.eval()
    return m


def assert_same_weights(a, b, what: str) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys(), what
    for k in sa:
        assert sa[k].dtype == sb[k].dtype and torch.equal(sa[k], sb[k]), f"{what}: {k} differs"
    assert not torch.equal(b.lm_head.weight, b.transformer.wte.weight), f"{what}: lm_head tied"


# ---------------------------------------------------------------------------
# References


@torch.no_grad()
def logits_of(model, ids) -> torch.Tensor:
    return model(torch.tensor([ids], dtype=torch.long)).logits[0].to(torch.float32)


@torch.no_grad()
def greedy(model, prompt_ids, n, tokenizer_size):
    ids = list(prompt_ids)
    out, margins = [], []
    for _ in range(n):
        last = logits_of(model, ids)[-1].clone()
        last[tokenizer_size:] = float("-inf")
        top2 = torch.topk(last, 2)
        nxt = int(torch.argmax(last))
        assert nxt == int(top2.indices[0])
        margins.append(float(top2.values[0] - top2.values[1]))
        out.append(nxt)
        ids.append(nxt)
    return out, margins


@torch.no_grad()
def continuation_logprobs(model, prompt_ids, cont_ids):
    full = list(prompt_ids) + list(cont_ids)
    lp = torch.log_softmax(logits_of(model, full).double(), dim=-1)
    T = len(prompt_ids)
    return [float(lp[T + i - 1, t]) for i, t in enumerate(cont_ids)]


def make_cases(model, tok, cases, out_dir: Path, tokenizer_size: int, all_positions: bool):
    result = []
    for i, (prompt, cont) in enumerate(cases):
        prompt_ids = tok(prompt, add_special_tokens=False)["input_ids"]
        cont_ids = tok(cont, add_special_tokens=False)["input_ids"]
        logits = logits_of(model, prompt_ids).numpy()
        if not all_positions:
            logits = logits[-1:]
        fname = f"case{i}_logits.npy"
        save_npy_f32(out_dir / fname, logits)
        g_ids, margins = greedy(model, prompt_ids, N_GREEDY, tokenizer_size)
        lps = continuation_logprobs(model, prompt_ids, cont_ids)
        toks = tok.convert_ids_to_tokens(g_ids)
        result.append(
            {
                "prompt": prompt,
                "prompt_ids": prompt_ids,
                "logits_file": fname,
                "logits_shape": list(logits.shape),
                "logits_positions": "all" if all_positions else "last",
                "greedy_ids": g_ids,
                "greedy_text": tok.decode(g_ids),
                "greedy_bytes_hex": b"".join(token_bytes(t) for t in toks).hex(),
                "greedy_min_margin": min(margins),
                "continuation": cont,
                "continuation_ids": cont_ids,
                "continuation_logprobs": lps,
                "continuation_logprob_sum": float(sum(lps)),
            }
        )
        print(f"  case {i}: {len(prompt_ids)} prompt ids, min greedy margin {min(margins):.4f}, "
              f"greedy {tok.decode(g_ids)!r}")
    return result


def config_summary(cfg: GPTJConfig) -> dict:
    return {
        "vocab_size": cfg.vocab_size,
        "n_embd": cfg.n_embd,
        "n_layer": cfg.n_layer,
        "n_head": cfg.n_head,
        "head_dim": cfg.n_embd // cfg.n_head,
        "rotary_dim": cfg.rotary_dim,
        "n_inner": cfg.n_inner if cfg.n_inner is not None else 4 * cfg.n_embd,
        "n_positions": cfg.n_positions,
        "layer_norm_epsilon": cfg.layer_norm_epsilon,
        "activation_function": cfg.activation_function,
    }


def versions() -> dict:
    import tokenizers

    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__, "numpy": np.__version__}


def clean(d: Path) -> None:
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)


# ---------------------------------------------------------------------------


def build_tiny() -> None:
    root = OUT / "tiny"
    clean(root)
    tmp = root / "_tok"
    train_tiny_tokenizer(tmp)
    tok = GPT2TokenizerFast.from_pretrained(str(tmp))
    tokenizer_size = len(tok)
    eos_id = tok.convert_tokens_to_ids(ENDOFTEXT)
    print(f"tiny tokenizer: {tokenizer_size} entries, eos id {eos_id}")

    config = GPTJConfig(
        vocab_size=512, n_positions=2048, n_embd=64, n_layer=3, n_head=4, rotary_dim=8,
        n_inner=None, layer_norm_epsilon=1e-5, bos_token_id=eos_id, eos_token_id=eos_id,
        tie_word_embeddings=False,
    )
    model = make_model(config, seed=1234, matrix_std=TRAIN_INIT_STD)
    train_ids = corpus_ids(tok, TRAINING_TEXT, eos_id)
    print(f"training tiny on {len(train_ids)} tokens")
    train_tiny(model, train_ids)
    # GPT-J's lm_head is NOT tied to wte (tie_word_embeddings=False), also after training.
    assert not torch.equal(model.lm_head.weight, model.transformer.wte.weight)

    dirs = {
        "hf-safetensors": root / "hf-safetensors",
        "hf-sharded": root / "hf-sharded",
        "hf-bin": root / "hf-bin",
        "hf-bin-sharded": root / "hf-bin-sharded",
    }
    for d in dirs.values():
        d.mkdir(parents=True)
        write_tokenizer_files(tmp, d, with_tokenizer_json=True)
    model.save_pretrained(str(dirs["hf-safetensors"]))
    model.save_pretrained(str(dirs["hf-sharded"]), max_shard_size="350KB")
    new_config = json.loads((dirs["hf-safetensors"] / "config.json").read_text())
    for name in ("hf-bin", "hf-bin-sharded"):
        write_json(dirs[name] / "config.json", legacy_config(new_config))
    write_bin(model, config, dirs["hf-bin"])
    write_bin_sharded(model, config, dirs["hf-bin-sharded"])
    shutil.rmtree(tmp)

    # Every form must load back to exactly the same float32 weights.
    loaded = {name: load_model(d) for name, d in dirs.items()}
    for name, m in loaded.items():
        assert_same_weights(model, m, name)
    model = loaded["hf-safetensors"]
    tok = GPT2TokenizerFast.from_pretrained(str(dirs["hf-safetensors"]))
    assert len(tok) == tokenizer_size

    cases = make_cases(model, tok, TINY_CASES, root, tokenizer_size, all_positions=True)

    # Teacher-forced sequences: 4 windows of 64 tokens at evenly spaced offsets of the training text.
    teacher = []
    stride = len(train_ids) // 4
    for i in range(4):
        ids = train_ids[i * stride: i * stride + 64]
        assert len(ids) == 64 and all(0 <= t < tokenizer_size for t in ids)
        logits = logits_of(model, ids).numpy()
        fname = f"tf{i}_logits.npy"
        save_npy_f32(root / fname, logits)
        teacher.append({"ids": ids, "logits_file": fname, "logits_shape": list(logits.shape)})
        top2 = np.sort(logits, axis=-1)[:, -2:]
        print(f"  teacher-forced {i}: median top-2 margin {np.median(top2[:, 1] - top2[:, 0]):.3f}, "
              f"min {np.min(top2[:, 1] - top2[:, 0]):.4f}")

    write_json(
        root / "reference.json",
        {
            "model": "tiny",
            "hf_dirs": sorted(dirs.keys()),
            "stored_dtype": "float32",
            "config": config_summary(config),
            "tokenizer_size": tokenizer_size,
            "eos_id": eos_id,
            "bos_id": eos_id,
            "greedy_new_tokens": N_GREEDY,
            "cases": cases,
            "teacher_forced": teacher,
            "generated_by": {"script": "tools/reference/make_gptj_fixtures.py", **versions()},
        },
    )


def build_gpt2vocab() -> None:
    root = OUT / "gpt2vocab"
    clean(root)
    hf = root / "hf"
    hf.mkdir()
    write_tokenizer_files(GPT2_DIR, hf, with_tokenizer_json=False)
    tok = GPT2TokenizerFast.from_pretrained(str(hf))
    tokenizer_size = len(tok)
    eos_id = tok.convert_tokens_to_ids(ENDOFTEXT)
    print(f"gpt2vocab tokenizer: {tokenizer_size} entries, eos id {eos_id}")

    config = GPTJConfig(
        vocab_size=50400, n_positions=2048, n_embd=32, n_layer=2, n_head=4, rotary_dim=4,
        n_inner=None, layer_norm_epsilon=1e-5, bos_token_id=eos_id, eos_token_id=eos_id,
        tie_word_embeddings=False,
    )
    model = make_model(config, seed=5678)
    model = model.to(torch.float16)
    model.save_pretrained(str(hf))  # model.safetensors with F16 tensors, config dtype float16

    # Reference = float32 math on the stored float16 values.
    loaded = load_model(hf)
    for k, v in model.state_dict().items():
        lv = loaded.state_dict()[k]
        assert lv.dtype == torch.float32 and torch.equal(lv, v.to(torch.float32)), k
    model = loaded

    cases = make_cases(model, tok, GPT2VOCAB_CASES, root, tokenizer_size, all_positions=False)
    write_json(
        root / "reference.json",
        {
            "model": "gpt2vocab",
            "hf_dirs": ["hf"],
            "stored_dtype": "float16",
            "config": config_summary(config),
            "tokenizer_size": tokenizer_size,
            "eos_id": eos_id,
            "bos_id": eos_id,
            "greedy_new_tokens": N_GREEDY,
            "cases": cases,
            "generated_by": {"script": "tools/reference/make_gptj_fixtures.py", **versions()},
        },
    )


def main() -> None:
    seed_everything(0)
    build_tiny()
    build_gpt2vocab()
    print("wrote", OUT)


if __name__ == "__main__":
    main()
