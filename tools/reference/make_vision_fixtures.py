"""Build small random CLIP ResNet encoders, LiMBeR-style projections, a tiny GPT-J and the
float32 reference outputs of the image-prompt pipeline (LiMBeR / Merullo et al.).

Produces, under Tests/Fixtures/vision/:

  rn-a/                       ModifiedResNet layers (1,1,1,1), width 4, 64 px -> grid 2x2, C = 128
    clip-jit.pt               traced TorchScript archive (torch.jit.trace_module of the whole CLIP
                              model: forward, encode_image, encode_text), laid out like OpenAI's
                              released RN*.pt files: Conv/Linear/MHA weights and text_projection in
                              float16 (clip.model.convert_weights), everything else float32, and
                              the extra buffers input_resolution / context_length / vocab_size
                              (int64 scalars) that clip.model.build_model deletes.
    clip-state.pt             torch.save(model.state_dict()) of the same model, all float32
                              (the float16-stored weights are float16-representable, so both files
                              hold exactly the same values).
    proj.ckpt                 torch.save(nn.Linear(128, 64).state_dict()): keys weight, bias
    proj-ln.ckpt              MAGMA-style: proj.weight, proj.bias, ln.weight, ln.bias
                              (Linear(128, 64) then LayerNorm(64), eps 1e-5)
    proj-bad.ckpt             nn.Linear(200, 64).state_dict(): input width != C (error test)
  rn-b/                       layers (2,1,2,1), width 4, 96 px -> grid 3x3, C = 128
    clip-jit.pt, clip-state.pt, proj.ckpt   as above (proj: Linear(128, 64))
  vit-state.pt                state dict of a tiny ViT CLIP (patch 8, 16 px, width 64, 1 layer)
                              for the "ViT not supported" error test, saved after
                              clip.model.convert_weights (float16/float32 mix, as state dicts
                              taken from clip.load(...) on a GPU are)
  lm/                         GPTJForCausalLM, same config as gptj/tiny (vocab 512, n_embd 64,
                              n_layer 3, n_head 4, rotary_dim 8), own seed, float32:
                              config.json, generation_config.json, model.safetensors, and the
                              tokenizer files copied from gptj/tiny/hf-safetensors (vocab.json,
                              merges.txt, tokenizer_config.json, special_tokens_map.json)
  images/                     img0.jpg 83x61 (quality 90), img1.png 61x97 RGB, img2.jpg 120x90
  reference.json              index of everything below (schema: tools/reference/README.md)
  ref/*.npy                   float32, C order:
    img{0,2}_rgb.npy          (H, W, 3) PIL's decoded RGB (0..255) of the two JPEGs
    img{i}_px{n}.npy          (3, n, n) clip.clip._transform(n)(Image.open(p).convert("RGB"))
    {enc}_img{i}_grid.npy     (h*w, C) visual tower without attnpool, "b d h w -> b (h w) d"
    {enc}_img{i}_soft.npy     (h*w, 64) proj(grid)
    rn-a_img{i}_softln.npy    (h*w, 64) LayerNorm(proj(grid)) with proj-ln.ckpt
    lm_*_logits.npy           (T, 512) logits at every position of an image+text prompt

The LM references feed GPT-J inputs_embeds = concatenation of soft tokens and wte rows of the
separately tokenized text pieces (as LiMBeR builds its prompts). Greedy decoding recomputes the
whole sequence each step, masks ids >= tokenizer size (400) to -inf, and appends the chosen
token's wte row. Everything is computed on CPU in float32, modules in eval mode (BatchNorm uses
its running statistics).

The LM seed is the first from 4321 whose greedy steps all have a top-2 margin >= 0.02.

The script checks the pipeline end to end: clip.load(path, jit=False) on both .pt files gives
bit-identical grid features, clip.load(jit=True) on the archive reproduces encode_image, a plain
F.conv2d/F.batch_norm/F.avg_pool2d rebuild from the state dict (functional_grid) matches the
grid, and the recorded resize/crop geometry reproduces the preprocessed pixels.

Output is byte-identical run to run, except that the TorchScript archives' .debug_pkl entries
record the Python call stack at trace time (absolute venv/checkout paths, this script's lines).

Run from the repo root:  venv/bin/python tools/reference/make_vision_fixtures.py
"""

import copy
import io
import pickletools
import shutil
import sys
import warnings
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FIXTURES, quiet_env, save_npy_f32, seed_everything, token_bytes, write_json  # noqa: E402

quiet_env()
warnings.filterwarnings("ignore", message=".*pkg_resources.*")

import torch  # noqa: E402
import transformers  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from transformers import GPT2TokenizerFast, GPTJConfig, GPTJForCausalLM  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import clip  # noqa: E402  (clip-anytorch)
    import clip.clip  # noqa: E402
    import clip.model as clip_model  # noqa: E402

OUT = FIXTURES / "vision"
REF = OUT / "ref"
TINY_TOK = FIXTURES / "gptj" / "tiny" / "hf-safetensors"
TOKENIZER_FILES = ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

N_EMBD = 64
N_GREEDY = 16
PROMPT = "A picture of"
CONTINUATION = " a red circle."

# Text tower shared by all fixtures: the smallest one clip.model.build_model can rebuild
# (it infers heads = transformer_width // 64, so the width must be >= 64, and CLIP.__init__
# divides by the number of text layers, so there must be at least one).
TEXT = dict(embed_dim=32, context_length=8, vocab_size=64, transformer_width=64,
            transformer_heads=1)

# The LM seed is the first from LM_SEED on whose greedy continuations every step has a top-2
# margin of at least MIN_MARGIN (so float32 rounding differences cannot flip an argmax).
LM_SEED = 4321
MIN_MARGIN = 0.02

# (name, encoder, projection, pieces, teacher-forced continuation or None)
FEWSHOT = [("image", 0), ("text", "A picture of a dog."), ("image", 1), ("text", "A picture of a cat."),
           ("image", 2), ("text", PROMPT)]
LM_CASES = [
    ("rn-a_img0", "rn-a", "proj", [("image", 0), ("text", PROMPT)], CONTINUATION),
    ("rn-a_img1", "rn-a", "proj", [("image", 1), ("text", PROMPT)], CONTINUATION),
    ("rn-a_img2", "rn-a", "proj", [("image", 2), ("text", PROMPT)], CONTINUATION),
    ("rn-a_fewshot", "rn-a", "proj", FEWSHOT, None),
    ("rn-a-ln_img0", "rn-a", "proj-ln", [("image", 0), ("text", PROMPT)], CONTINUATION),
    ("rn-b_img0", "rn-b", "proj", [("image", 0), ("text", PROMPT)], CONTINUATION),
]

ENCODERS = OrderedDict(
    [
        ("rn-a", dict(layers=(1, 1, 1, 1), width=4, resolution=64, seed=101, text_layers=1)),
        ("rn-b", dict(layers=(2, 1, 2, 1), width=4, resolution=96, seed=202, text_layers=1)),
    ]
)

IMAGES = [
    ("img0.jpg", (83, 61), "JPEG"),
    ("img1.png", (61, 97), "PNG"),
    ("img2.jpg", (120, 90), "JPEG"),
]


# ---------------------------------------------------------------------------
# Images


def make_image(idx: int, size) -> Image.Image:
    """Gradients, a few filled shapes and mild noise, all from a seeded generator."""
    w, h = size
    rng = np.random.default_rng(1000 + idx)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    base = np.stack(
        [
            255 * xx / max(w - 1, 1),
            255 * yy / max(h - 1, 1),
            127.5 + 127.5 * np.sin((xx + 2 * yy) / (5.0 + 3 * idx)),
        ],
        axis=-1,
    )
    base = np.roll(base, idx, axis=-1)
    base += rng.normal(0, 6, base.shape)
    img = Image.fromarray(np.clip(base, 0, 255).round().astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    colors = [(220, 30, 30), (30, 200, 60), (40, 60, 230), (250, 240, 40), (20, 20, 20), (245, 245, 245)]
    for k in range(4):
        x0, y0 = int(rng.integers(0, w - 10)), int(rng.integers(0, h - 10))
        x1, y1 = x0 + int(rng.integers(8, w // 2)), y0 + int(rng.integers(8, h // 2))
        c = colors[(idx + k) % len(colors)]
        if k % 3 == 0:
            d.ellipse([x0, y0, x1, y1], fill=c)
        elif k % 3 == 1:
            d.rectangle([x0, y0, x1, y1], fill=c)
        else:
            d.polygon([(x0, y1), ((x0 + x1) // 2, y0), (x1, y1)], fill=c)
    d.line([(0, h - 1), (w - 1, 0)], fill=(255, 255, 255), width=2)
    return img


def write_images() -> list:
    d = OUT / "images"
    d.mkdir(parents=True)
    out = []
    for i, (name, size, fmt) in enumerate(IMAGES):
        img = make_image(i, size)
        if fmt == "JPEG":
            img.save(d / name, format="JPEG", quality=90)
        else:
            img.save(d / name, format="PNG")
        out.append(d / name)
    return out


def resized_size(w: int, h: int, n: int):
    """torchvision Resize(n) on a PIL image: the shorter side becomes n, the longer side
    int(n * long / short) (torchvision.transforms.functional._compute_resized_output_size)."""
    if w <= h:
        return n, int(n * h / w)
    return int(n * w / h), n


def center_crop_offsets(w: int, h: int, n: int):
    """torchvision CenterCrop: top = int(round((h - n) / 2)), left = int(round((w - n) / 2))."""
    return int(round((h - n) / 2.0)), int(round((w - n) / 2.0))


# ---------------------------------------------------------------------------
# CLIP models


def round_to_f16(model: torch.nn.Module) -> None:
    """Make every tensor that clip.model.convert_weights stores as float16 float16-representable,
    so the float16 archive, the float32 state dict and clip.load(jit=False) (convert to
    float16, then .float() on CPU) all hold the same values."""
    half = copy.deepcopy(model)
    clip_model.convert_weights(half)
    hsd = half.state_dict()
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if hsd[name].dtype == torch.float16:
                t.copy_(hsd[name].float())


def randomize_visual(visual: torch.nn.Module, g: torch.Generator) -> None:
    """He-scaled conv weights and random BatchNorm statistics/affine parameters (eval mode)."""
    with torch.no_grad():
        for name, m in visual.named_modules():
            if name.startswith("attnpool"):
                continue
            if isinstance(m, torch.nn.Conv2d):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
            elif isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.6 + 0.6 * torch.rand(c, generator=g))
                m.bias.copy_(0.1 * torch.randn(c, generator=g))
                m.running_mean.copy_(0.2 * torch.randn(c, generator=g))
                m.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=g))
                m.num_batches_tracked.fill_(int(torch.randint(1000, 100000, (1,), generator=g)))


def make_clip_rn(spec: dict) -> clip_model.CLIP:
    torch.manual_seed(spec["seed"])
    model = clip_model.CLIP(
        TEXT["embed_dim"], spec["resolution"], tuple(spec["layers"]), spec["width"], None,
        TEXT["context_length"], TEXT["vocab_size"], TEXT["transformer_width"],
        TEXT["transformer_heads"], spec["text_layers"],
    )
    g = torch.Generator().manual_seed(spec["seed"] + 1)
    randomize_visual(model.visual, g)
    round_to_f16(model)
    return model.float().eval()


def make_clip_vit() -> clip_model.CLIP:
    torch.manual_seed(303)
    model = clip_model.CLIP(
        TEXT["embed_dim"], 16, 1, 64, 8,
        TEXT["context_length"], TEXT["vocab_size"], TEXT["transformer_width"],
        TEXT["transformer_heads"], 1,
    ).eval()
    clip_model.convert_weights(model)
    return model


def example_text() -> torch.Tensor:
    t = torch.zeros(1, TEXT["context_length"], dtype=torch.long)
    t[0, :4] = torch.tensor([TEXT["vocab_size"] - 2, 5, 17, TEXT["vocab_size"] - 1])
    return t


def save_jit(model: clip_model.CLIP, path: Path) -> None:
    """Trace a float16 copy like OpenAI's released archives (forward + encode_image +
    encode_text, extra int64 buffers input_resolution / context_length / vocab_size)."""
    m = copy.deepcopy(model)
    clip_model.convert_weights(m)
    res = m.visual.input_resolution
    del m.context_length
    del m.vocab_size
    m.register_buffer("input_resolution", torch.tensor(res, dtype=torch.long))
    m.register_buffer("context_length", torch.tensor(TEXT["context_length"], dtype=torch.long))
    m.register_buffer("vocab_size", torch.tensor(TEXT["vocab_size"], dtype=torch.long))
    g = torch.Generator().manual_seed(7)
    img = torch.randn(1, 3, res, res, generator=g).half()
    txt = example_text()
    with torch.no_grad():
        traced = torch.jit.trace_module(
            m, {"forward": (img, txt), "encode_image": (img,), "encode_text": (txt,)},
            _store_inputs=False,
        )
    torch.jit.save(traced, str(path))


def infer_family(sd: dict) -> dict:
    """What clip.model.build_model infers from a ResNet CLIP state dict."""
    counts = [len(set(k.split(".")[2] for k in sd if k.startswith(f"visual.layer{b}"))) for b in [1, 2, 3, 4]]
    width = sd["visual.layer1.0.conv1.weight"].shape[0]
    pos = sd["visual.attnpool.positional_embedding"].shape[0]
    output_width = round((pos - 1) ** 0.5)
    assert output_width ** 2 + 1 == pos
    last = f"visual.layer4.{counts[3] - 1}.conv3.weight"
    channels = sd[last].shape[0]
    assert channels == width * 32
    return {
        "layers": counts,
        "width": int(width),
        "image_resolution": int(output_width * 32),
        "grid": int(output_width),
        "output_channels": int(channels),
        "attnpool_positional_embedding_shape": list(sd["visual.attnpool.positional_embedding"].shape),
        "embed_dim": int(sd["text_projection"].shape[1]),
        "heads": int(width * 32 // 64),
    }


def functional_grid(sd: dict, x: torch.Tensor) -> torch.Tensor:
    """The grid computed from the state dict alone, op by op (a readable spec of what Glimpse
    implements); checked against the clip.model module. Returns (B, h*w, C)."""
    import torch.nn.functional as F

    def bn(t, name):  # eval-mode BatchNorm2d, eps 1e-5
        return F.batch_norm(t, sd[name + ".running_mean"], sd[name + ".running_var"],
                            sd[name + ".weight"], sd[name + ".bias"], False, 0.0, 1e-5)

    def conv(t, name, stride=1, padding=0):  # no conv has a bias
        return F.conv2d(t, sd[name + ".weight"], None, stride, padding)

    v = "visual."
    x = F.relu(bn(conv(x, v + "conv1", 2, 1), v + "bn1"))
    x = F.relu(bn(conv(x, v + "conv2", 1, 1), v + "bn2"))
    x = F.relu(bn(conv(x, v + "conv3", 1, 1), v + "bn3"))
    x = F.avg_pool2d(x, 2)
    for layer in range(1, 5):
        blocks = sorted({int(k.split(".")[2]) for k in sd if k.startswith(f"visual.layer{layer}.")})
        for j in blocks:
            b = f"visual.layer{layer}.{j}."
            stride = 2 if layer > 1 and j == 0 else 1
            out = F.relu(bn(conv(x, b + "conv1"), b + "bn1"))
            out = F.relu(bn(conv(out, b + "conv2", 1, 1), b + "bn2"))
            if stride > 1:
                out = F.avg_pool2d(out, stride)
            out = bn(conv(out, b + "conv3"), b + "bn3")
            identity = x
            if b + "downsample.0.weight" in sd:
                identity = F.avg_pool2d(x, stride) if stride > 1 else x
                identity = bn(conv(identity, b + "downsample.0"), b + "downsample.1")
            x = F.relu(out + identity)
    n, c, h, w = x.shape
    return x.reshape(n, c, h * w).permute(0, 2, 1)


class GridEncoder(torch.nn.Module):
    """LiMBeR's image prefix without the projection: the ResNet with attnpool removed, then
    rearrange(x, "b d h w -> b (h w) d")."""

    def __init__(self, visual):
        super().__init__()
        self.visual = copy.deepcopy(visual)
        self.visual.attnpool = torch.nn.Identity()

    def forward(self, x):
        x = self.visual(x)  # (B, C, h, w)
        b, d, h, w = x.shape
        return x.reshape(b, d, h * w).permute(0, 2, 1).contiguous()


# ---------------------------------------------------------------------------
# Projections


def make_linear(c_in: int, seed: int) -> torch.nn.Linear:
    g = torch.Generator().manual_seed(seed)
    lin = torch.nn.Linear(c_in, N_EMBD)
    with torch.no_grad():
        lin.weight.copy_(torch.randn(N_EMBD, c_in, generator=g) * (2.0 / c_in ** 0.5))
        lin.bias.copy_(0.1 * torch.randn(N_EMBD, generator=g))
    return lin.eval()


class LNProjection(torch.nn.Module):
    def __init__(self, c_in: int, seed: int):
        super().__init__()
        self.proj = make_linear(c_in, seed)
        self.ln = torch.nn.LayerNorm(N_EMBD, eps=1e-5)
        g = torch.Generator().manual_seed(seed + 1)
        with torch.no_grad():
            self.ln.weight.copy_(1.0 + 0.1 * torch.randn(N_EMBD, generator=g))
            self.ln.bias.copy_(0.05 * torch.randn(N_EMBD, generator=g))

    def forward(self, x):
        return self.ln(self.proj(x))


def save_state(module: torch.nn.Module, path: Path) -> None:
    torch.save(OrderedDict((k, v.detach().clone().contiguous()) for k, v in module.state_dict().items()), str(path))


# ---------------------------------------------------------------------------
# Language model


def init_lm_weights(model: torch.nn.Module, seed: int) -> None:
    """Same scheme as make_gptj_fixtures.py: N(0, 0.1) matrices/embeddings, LayerNorm weights
    1 + 0.1 N, biases 0.05 N, lm_head N(0, 0.6)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g, dtype=torch.float32)
            if name.endswith(".bias"):
                p.copy_(0.05 * noise)
            elif p.dim() == 1:
                p.copy_(1.0 + 0.1 * noise)
            elif name == "lm_head.weight":
                p.copy_(0.6 * noise)
            else:
                p.copy_(0.1 * noise)


def build_lm(dst: Path, softs: dict):
    dst.mkdir(parents=True)
    for name in TOKENIZER_FILES:
        shutil.copyfile(TINY_TOK / name, dst / name)
    tok = GPT2TokenizerFast.from_pretrained(str(dst))
    ref_tok = GPT2TokenizerFast.from_pretrained(str(TINY_TOK))
    eos_id = tok.convert_tokens_to_ids("<|endoftext|>")
    config = GPTJConfig(
        vocab_size=512, n_positions=2048, n_embd=N_EMBD, n_layer=3, n_head=4, rotary_dim=8,
        n_inner=None, layer_norm_epsilon=1e-5, bos_token_id=eos_id, eos_token_id=eos_id,
        tie_word_embeddings=False,
    )
    tokenizer_size = len(tok)
    for seed in range(LM_SEED, LM_SEED + 200):
        torch.manual_seed(seed)
        model = GPTJForCausalLM(config).to(torch.float32)
        init_lm_weights(model, seed=seed)
        model.eval()
        margin = min(min(LM(model, tok, tokenizer_size).greedy(prompt_embeddings(
            LM(model, tok, tokenizer_size), pieces, softs[(enc, proj)])[0], N_GREEDY)[1])
            for _, enc, proj, pieces, _ in LM_CASES)
        if margin >= MIN_MARGIN:
            break
    else:
        raise SystemExit("no LM seed with large enough greedy margins")
    print(f"lm: seed {seed}, min greedy margin over all cases {margin:.4f}")
    assert not torch.equal(model.lm_head.weight, model.transformer.wte.weight)
    model.save_pretrained(str(dst))
    loaded = GPTJForCausalLM.from_pretrained(str(dst), dtype=torch.float32).eval()
    for (k, a), (k2, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert k == k2 and torch.equal(a, b), k
    return loaded, tok, ref_tok, config, seed


class LM:
    def __init__(self, model, tok, tokenizer_size):
        self.model, self.tok, self.size = model, tok, tokenizer_size
        self.wte = model.transformer.wte.weight.detach()

    def ids(self, text):
        return self.tok(text, add_special_tokens=False)["input_ids"]

    def embed_ids(self, ids):
        return self.wte[torch.tensor(ids, dtype=torch.long)]

    @torch.no_grad()
    def logits(self, emb):
        return self.model(inputs_embeds=emb[None].to(torch.float32)).logits[0].to(torch.float32)

    @torch.no_grad()
    def greedy(self, emb, n):
        out, margins = [], []
        for _ in range(n):
            last = self.logits(emb)[-1].clone()
            last[self.size:] = float("-inf")
            top2 = torch.topk(last, 2)
            nxt = int(torch.argmax(last))
            assert nxt == int(top2.indices[0])
            margins.append(float(top2.values[0] - top2.values[1]))
            out.append(nxt)
            emb = torch.cat([emb, self.embed_ids([nxt])], 0)
        return out, margins

    @torch.no_grad()
    def continuation_logprobs(self, emb, cont_ids):
        full = torch.cat([emb, self.embed_ids(cont_ids)], 0)
        lp = torch.log_softmax(self.logits(full).double(), dim=-1)
        T = emb.shape[0]
        return [float(lp[T + i - 1, t]) for i, t in enumerate(cont_ids)]


def prompt_embeddings(lm: "LM", pieces: list, soft: dict):
    """pieces: list of ("image", image index) or ("text", str), concatenated in order."""
    embs, desc = [], []
    for kind, val in pieces:
        if kind == "image":
            embs.append(soft[val])
            desc.append({"kind": "image", "image": val, "n_tokens": int(soft[val].shape[0])})
        else:
            ids = lm.ids(val)
            embs.append(lm.embed_ids(ids))
            desc.append({"kind": "text", "text": val, "ids": ids, "n_tokens": len(ids)})
    return torch.cat(embs, 0), desc


def lm_case(lm: LM, name: str, pieces: list, soft: dict, continuation: str = None) -> dict:
    emb, desc = prompt_embeddings(lm, pieces, soft)
    logits = lm.logits(emb)
    fname = f"lm_{name}_logits.npy"
    save_npy_f32(REF / fname, logits.numpy())
    g_ids, margins = lm.greedy(emb, N_GREEDY)
    case = {
        "name": name,
        "pieces": desc,
        "n_positions": int(emb.shape[0]),
        "logits_file": "ref/" + fname,
        "logits_shape": list(logits.shape),
        "logits_positions": "all",
        "greedy_ids": g_ids,
        "greedy_text": lm.tok.decode(g_ids),
        "greedy_bytes_hex": b"".join(token_bytes(t) for t in lm.tok.convert_ids_to_tokens(g_ids)).hex(),
        "greedy_min_margin": min(margins),
    }
    if continuation is not None:
        cont_ids = lm.ids(continuation)
        lps = lm.continuation_logprobs(emb, cont_ids)
        case.update({"continuation": continuation, "continuation_ids": cont_ids,
                     "continuation_logprobs": lps, "continuation_logprob_sum": float(sum(lps))})
    print(f"  lm {name}: T={emb.shape[0]}, min greedy margin {min(margins):.4f}, greedy {lm.tok.decode(g_ids)!r}")
    return case


# ---------------------------------------------------------------------------
# Archive inspection (recorded in reference.json for the Swift reader's tests)


def archive_summary(path: Path) -> dict:
    z = zipfile.ZipFile(path)
    names = z.namelist()
    prefix = names[0].split("/")[0]
    data_pkl = z.read(f"{prefix}/data.pkl")
    buf = io.StringIO()
    pickletools.dis(data_pkl, buf)
    globals_ = sorted(set(
        line.split("GLOBAL", 1)[1].strip().strip("'")
        for line in buf.getvalue().splitlines() if " GLOBAL " in line
    ))
    storages = sorted({g for g in globals_ if g.startswith("torch ") and g.endswith("Storage")})
    return {
        "prefix": prefix,
        "n_data_records": sum(1 for n in names if n.startswith(f"{prefix}/data/")),
        "n_constants": sum(1 for n in names if n.startswith(f"{prefix}/constants/")),
        "storage_types": storages,
        "torch_globals": [g for g in globals_ if not g.startswith("__torch__")],
        "n_torchscript_classes": sum(1 for g in globals_ if g.startswith("__torch__")),
    }


# ---------------------------------------------------------------------------


def tensor_info(sd: dict) -> dict:
    return {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)} for k, v in sd.items()}


def main() -> None:
    seed_everything(0)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    REF.mkdir()

    # Images and their preprocessing ---------------------------------------------------
    image_paths = write_images()
    pil_images = [Image.open(p).convert("RGB") for p in image_paths]
    images_ref = []
    for i, (p, im) in enumerate(zip(image_paths, pil_images)):
        entry = {"file": f"images/{p.name}", "format": IMAGES[i][2], "width": im.width,
                 "height": im.height, "mode_on_disk": Image.open(p).mode, "pixels": {}}
        if IMAGES[i][2] == "JPEG":  # lossy: record PIL's (libjpeg's) decode
            save_npy_f32(REF / f"img{i}_rgb.npy", np.asarray(im, dtype=np.float32))
            entry["decoded_rgb_file"] = f"ref/img{i}_rgb.npy"
        images_ref.append(entry)

    pixels = {}
    for n in sorted({spec["resolution"] for spec in ENCODERS.values()}):
        tf = clip.clip._transform(n)
        for i, im in enumerate(pil_images):
            px = tf(im)
            assert px.shape == (3, n, n) and px.dtype == torch.float32
            # The recorded resize/crop geometry reproduces the transform exactly.
            rw, rh = resized_size(im.width, im.height, n)
            top, left = center_crop_offsets(rw, rh, n)
            manual = np.asarray(im.resize((rw, rh), Image.BICUBIC).crop((left, top, left + n, top + n)),
                                dtype=np.float32).transpose(2, 0, 1) / 255.0
            manual = (torch.from_numpy(manual) - torch.tensor(CLIP_MEAN)[:, None, None]) / \
                torch.tensor(CLIP_STD)[:, None, None]
            assert torch.allclose(manual, px, rtol=0, atol=1e-6), (manual - px).abs().max()
            pixels[(i, n)] = px
            save_npy_f32(REF / f"img{i}_px{n}.npy", px.numpy())
            images_ref[i]["pixels"][str(n)] = {"file": f"ref/img{i}_px{n}.npy", "resized_width": rw,
                                               "resized_height": rh, "crop_top": top, "crop_left": left}

    # Encoders, projections, references ------------------------------------------------
    encoders_ref = OrderedDict()
    soft_sets = {}
    for enc_name, spec in ENCODERS.items():
        d = OUT / enc_name
        d.mkdir()
        model = make_clip_rn(spec)
        jit_path, state_path = d / "clip-jit.pt", d / "clip-state.pt"
        save_jit(model, jit_path)
        save_state(model, state_path)

        sd = model.state_dict()
        fam = infer_family(sd)
        n, C = spec["resolution"], spec["width"] * 32
        assert fam["layers"] == list(spec["layers"]) and fam["image_resolution"] == n
        assert fam["output_channels"] == C and fam["width"] == spec["width"]

        enc = GridEncoder(model.visual).eval()
        proj = make_linear(C, spec["seed"] + 10)
        save_state(proj, d / "proj.ckpt")
        files = {"jit": f"{enc_name}/clip-jit.pt", "state": f"{enc_name}/clip-state.pt",
                 "proj": f"{enc_name}/proj.ckpt"}
        proj_ln = None
        if enc_name == "rn-a":
            proj_ln = LNProjection(C, spec["seed"] + 20).eval()
            save_state(proj_ln, d / "proj-ln.ckpt")
            save_state(make_linear(200, spec["seed"] + 30), d / "proj-bad.ckpt")
            files.update({"proj_ln": f"{enc_name}/proj-ln.ckpt", "proj_bad": f"{enc_name}/proj-bad.ckpt",
                          "proj_bad_in_features": 200})

        # Loading back the way LiMBeR/CLIP users do must give bit-identical grids.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded_nojit = {k: clip.load(str(p), device="cpu", jit=False)[0].eval()
                            for k, p in (("jit", jit_path), ("state", state_path))}
            loaded_jit, jit_preprocess = clip.load(str(jit_path), device="cpu", jit=True)
        loaded_enc = {k: GridEncoder(m.visual).eval() for k, m in loaded_nojit.items()}
        for k, m in loaded_nojit.items():
            assert m.visual.input_resolution == n
            for key, t in m.state_dict().items():
                assert torch.equal(t, sd[key].to(t.dtype)), (k, key)

        grids, softs, softs_ln, img_refs = {}, {}, {}, []
        stds = []
        with torch.no_grad():
            for i in range(len(IMAGES)):
                px = pixels[(i, n)][None]
                grid = enc(px)[0]
                assert grid.shape == (fam["grid"] ** 2, C)
                for k, e in loaded_enc.items():
                    assert torch.equal(e(px)[0], grid), (enc_name, k)
                fgrid = functional_grid(sd, px)[0]
                assert torch.allclose(fgrid, grid, rtol=1e-5, atol=1e-5), (fgrid - grid).abs().max()
                # clip.load(jit=True) on CPU: the patched archive's encode_image == in-memory model
                full = model.encode_image(px)
                full_jit = loaded_jit.encode_image(px)
                assert torch.allclose(full, full_jit, rtol=1e-5, atol=1e-5), (full - full_jit).abs().max()
                soft = proj(grid)
                grids[i], softs[i] = grid, soft
                stds.append(float(grid.std()))
                save_npy_f32(REF / f"{enc_name}_img{i}_grid.npy", grid.numpy())
                save_npy_f32(REF / f"{enc_name}_img{i}_soft.npy", soft.numpy())
                r = {"image": i, "grid_file": f"ref/{enc_name}_img{i}_grid.npy",
                     "soft_file": f"ref/{enc_name}_img{i}_soft.npy",
                     "grid_std": float(grid.std()), "grid_absmax": float(grid.abs().max())}
                if proj_ln is not None:
                    sl = proj_ln(grid)
                    softs_ln[i] = sl
                    save_npy_f32(REF / f"{enc_name}_img{i}_softln.npy", sl.numpy())
                    r["soft_ln_file"] = f"ref/{enc_name}_img{i}_softln.npy"
                img_refs.append(r)
        # The jit preprocess is the same transform at the inferred resolution.
        assert torch.equal(jit_preprocess(pil_images[0]), pixels[(0, n)])
        print(f"{enc_name}: layers {fam['layers']}, width {fam['width']}, {n} px, C {C}, "
              f"grid {fam['grid']}x{fam['grid']}, grid std {['%.3f' % s for s in stds]}")
        assert all(0.1 < s < 10 for s in stds), stds

        jsd = torch.jit.load(str(jit_path), map_location="cpu").state_dict()
        encoders_ref[enc_name] = {
            "files": files,
            "family": fam,
            "n_px": n,
            "grid_size": [fam["grid"], fam["grid"]],
            "n_image_tokens": fam["grid"] ** 2,
            "proj_shape": [N_EMBD, C],
            "images": img_refs,
            "jit_archive": archive_summary(jit_path),
            "jit_tensors": tensor_info(jsd),
            "state_tensors": tensor_info(torch.load(str(state_path), map_location="cpu")),
        }

        soft_sets[(enc_name, "proj")] = softs
        if softs_ln:
            soft_sets[(enc_name, "proj-ln")] = softs_ln

    # LM -------------------------------------------------------------------------------------
    lm_model, tok, ref_tok, lm_config, lm_seed = build_lm(OUT / "lm", soft_sets)
    tokenizer_size = len(tok)
    assert tokenizer_size == len(ref_tok) == 400, tokenizer_size
    for _, _, _, pieces, cont in LM_CASES:
        for text in [v for k, v in pieces if k == "text"] + ([cont] if cont else []):
            assert tok(text, add_special_tokens=False)["input_ids"] == \
                ref_tok(text, add_special_tokens=False)["input_ids"]
    lm = LM(lm_model, tok, tokenizer_size)
    lm_cases = []
    for name, enc_name, proj_name, pieces, cont in LM_CASES:
        c = lm_case(lm, name, pieces, soft_sets[(enc_name, proj_name)], cont)
        c["encoder"], c["projection"] = enc_name, proj_name
        c["projection_file"] = encoders_ref[enc_name]["files"]["proj" if proj_name == "proj" else "proj_ln"]
        lm_cases.append(c)

    # ViT (unsupported family) ---------------------------------------------------------------
    vit = make_clip_vit()
    save_state(vit, OUT / "vit-state.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert isinstance(clip.load(str(OUT / "vit-state.pt"), device="cpu")[0].visual,
                          clip_model.VisionTransformer)

    import PIL
    import PIL.features
    import torchvision

    write_json(
        OUT / "reference.json",
        {
            "preprocess": {
                "transform": "clip.clip._transform(n_px) on Image.open(p).convert('RGB'): "
                             "Resize(n_px, BICUBIC) [PIL resize, shorter side -> n_px, longer side "
                             "int(n_px*long/short)], CenterCrop(n_px) [top = int(round((h - n)/2)), "
                             "left = int(round((w - n)/2)), Python round: halves go to even], "
                             "ToTensor (/255), Normalize ((x - mean) / std per channel)",
                "mean": list(CLIP_MEAN),
                "std": list(CLIP_STD),
                "layout": "(3, n_px, n_px) float32, RGB planes",
            },
            "images": images_ref,
            "encoders": encoders_ref,
            "vit": {"file": "vit-state.pt", "family": "ViT", "patch_size": 8, "image_resolution": 16,
                    "width": 64, "layers": 1,
                    "tensors": tensor_info(torch.load(str(OUT / "vit-state.pt"), map_location="cpu"))},
            "grid_layout": "grid = visual(x) without attnpool, (1, C, h, w) -> (h*w, C): row r*w + c is "
                           "spatial position (r, c) (einops 'b d h w -> b (h w) d')",
            "lm": {
                "dir": "lm",
                "config": {"vocab_size": lm_config.vocab_size, "n_embd": lm_config.n_embd,
                           "n_layer": lm_config.n_layer, "n_head": lm_config.n_head,
                           "rotary_dim": lm_config.rotary_dim, "n_inner": 4 * lm_config.n_embd,
                           "n_positions": lm_config.n_positions,
                           "layer_norm_epsilon": lm_config.layer_norm_epsilon},
                "seed": lm_seed,
                "tokenizer_size": tokenizer_size,
                "eos_id": lm_config.eos_token_id,
                "greedy_new_tokens": N_GREEDY,
                "greedy_rule": "argmax of the last logits with ids >= tokenizer_size set to -inf; "
                               "append the chosen id's wte row; recompute the full sequence; no EOS stop",
                "prompt_rule": "inputs_embeds = concatenation of the pieces in order: image -> its soft "
                               "tokens (h*w rows); text -> wte rows of tok(text) (each piece tokenized "
                               "separately, no special tokens); position ids 0..T-1",
                "cases": lm_cases,
            },
            "generated_by": {
                "script": "tools/reference/make_vision_fixtures.py",
                "torch": torch.__version__, "torchvision": torchvision.__version__,
                "transformers": transformers.__version__, "numpy": np.__version__,
                "pillow": PIL.__version__, "libjpeg": PIL.features.version("jpg"),
                "clip": "clip-anytorch",
            },
        },
    )

    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"total size of {OUT.relative_to(FIXTURES.parent.parent)}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
