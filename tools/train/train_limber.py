#!/usr/bin/env python3
"""Train a small LiMBeR-style model on synthetic scenes (tools/train/make_scenes.py), from scratch.

The model is built from the reference classes themselves:
- image encoder: clip.model.ModifiedResNet (layers 1,1,1,1, width 16, 64 px) with the attention pool
  removed as LiMBeR does (attnpool -> identity, "b d h w -> b (h w) d"): a 2x2 grid of 512-d vectors;
- projection: one nn.Linear(512, n_embd) -> 4 soft tokens per image;
- language model: transformers' GPTJForCausalLM (4 layers, width 256, 4 heads, rotary_dim 32,
  n_positions 256, lm_head not tied), over a byte-level BPE vocabulary (~500 entries, trained here
  with HF tokenizers on the task text), embedding padded to 512 rows.

Unlike LiMBeR (frozen CLIP + frozen GPT-J, only the linear layer trained), everything here is trained
jointly from scratch, since there is no pretrained model of this size for this data. The training
mixture: image captioning ("<image>A picture of {caption}."), VQA ("<image>Q: {question} A: {answer}\\n")
and Frozen-style 2-way fast-binding episodes with invented names drawn per episode. Text between
images is tokenized piece by piece, as Glimpse and LiMBeR do. Images are preprocessed with
clip.clip._transform(64) after a JPEG round trip, as Glimpse preprocesses the shipped JPEGs.

    /work/venv/bin/python tools/train/train_limber.py --out /tmp/limber-train --steps 2400 --threads 2

Writes OUT/hf (GPT-J directory for `glimpse convert lm`), OUT/clip-visual.pt (visual.* state dict,
attnpool kept with untrained weights so the converter can read the image size), OUT/proj.ckpt.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_scenes as ms  # noqa: E402

import clip  # noqa: E402
from clip.model import ModifiedResNet  # noqa: E402
from tokenizers import ByteLevelBPETokenizer  # noqa: E402
from transformers import GPT2TokenizerFast, GPTJConfig, GPTJForCausalLM  # noqa: E402

EOT = "<|endoftext|>"
N_PX = 64          # encoder input size; set by --px (the scenes themselves are rendered at 64 px)
RESNET = dict(layers=(1, 1, 1, 1), output_dim=64, heads=8, input_resolution=N_PX, width=16)
DEVICE = torch.device("cpu")
LM = dict(vocab_size=512, n_embd=256, n_layer=4, n_head=4, rotary_dim=32, n_positions=256)


# ---------------------------------------------------------------------------
# Data


def to_tensor(jpeg: bytes, tf) -> torch.Tensor:
    return tf(Image.open(io.BytesIO(jpeg)).convert("RGB"))


def build_pools(seed: int, n_scenes: int, n_objects: int):
    rng = random.Random(seed)
    tf = clip.clip._transform(N_PX)
    scenes, scene_px = [], []
    for _ in range(n_scenes):
        objs = ms.sample_objects(rng)
        scene_px.append(to_tensor(ms.render(objs, rng), tf))
        scenes.append(objs)
    obj_cat, obj_px = [], []
    for k in range(n_objects):
        c, s = ms.CATEGORIES[k % len(ms.CATEGORIES)]
        obj_px.append(to_tensor(ms.render(ms.single_object(rng, c, s), rng), tf))
        obj_cat.append((c, s))
    by_cat: dict = {}
    for i, cat in enumerate(obj_cat):
        by_cat.setdefault(cat, []).append(i)
    return scenes, torch.stack(scene_px).half(), by_cat, torch.stack(obj_px).half(), obj_cat


def corpus(seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    texts = []
    for _ in range(4000):
        objs = ms.sample_objects(rng)
        texts.append("A picture of " + ms.caption(objs) + ".")
        for q, a, _t in ms.questions(objs, rng):
            texts.append(f"Q: {q} A: {a}\n")
    for _ in range(2000):
        names = ms.sample_names(rng, rng.random() < 0.5)
        texts += [f"This is a {n}. " for n in names] + ["Q: What is this? A: This is a", " " + names[0]]
    return texts


def train_tokenizer(out: Path, seed: int) -> GPT2TokenizerFast:
    tok = ByteLevelBPETokenizer()
    tok.train_from_iterator(corpus(seed), vocab_size=500, min_frequency=2, special_tokens=[EOT],
                            show_progress=False)
    out.mkdir(parents=True, exist_ok=True)
    tok.save_model(str(out))
    return GPT2TokenizerFast.from_pretrained(str(out))


def repeated_tokens(rng: random.Random, vocab: int):
    """A random token sequence shown twice, loss on the second copy: the task on which small
    transformers form induction heads (attend to what followed the earlier copy of the current
    token) within a few hundred steps. Fast binding needs that copy-by-match circuit, and these
    models never formed it from fast-binding episodes alone."""
    half = [rng.randrange(vocab) for _ in range(rng.randint(8, 24))]
    return [("txt", half, False), ("txt", half, True)]


class Batcher:
    """Examples are lists of segments: ("img", pool, index) or ("txt", ids, with_loss)."""

    def __init__(self, tok, pools, seed: int):
        self.tok = tok
        self.scenes, self.scene_px, self.by_cat, self.obj_px, self.obj_cat = pools
        self.rng = random.Random(seed + 2)
        self.cache: dict = {}
        self.eot = tok.convert_tokens_to_ids(EOT)
        self.episode_queries, self.same_image, self.episode_ways = 1, 0.0, 2

    def counts(self, pool: str, i: int) -> list[int]:
        if pool == "obj":
            objs = [{"color": c, "shape": s} for c, s in [self.obj_cat[i]]]
        else:
            objs = self.scenes[i]
        return [sum(o["color"] == c and o["shape"] == s for o in objs) for c, s in ms.CATEGORIES]

    def ids(self, text: str) -> list[int]:
        if text not in self.cache:
            self.cache[text] = self.tok.encode(text)
        return self.cache[text]

    def example(self, kind: str):
        rng = self.rng
        if kind == "caption":
            i = rng.randrange(len(self.scenes))
            return [("img", "scene", i), ("txt", self.ids("A picture of " + ms.caption(self.scenes[i]) + ".") + [self.eot], True)]
        if kind == "vqa":
            i = rng.randrange(len(self.scenes))
            q, a, _t = rng.choice(ms.questions(self.scenes[i], rng))
            return [("img", "scene", i), ("txt", self.ids(f"Q: {q} A: {a}\n") + [self.eot], True)]
        if kind == "words":
            return self.word_episode()
        if kind == "repeat":
            return repeated_tokens(rng, len(self.tok))
        ways = rng.randint(2, self.episode_ways) if self.episode_ways > 2 else 2
        cats, names = ms.sample_supports(rng, ways)
        imgs = [rng.sample(self.by_cat[c], 2) for c in cats]
        q = rng.randrange(ways)
        segs = []
        for k in range(ways):
            segs += [("img", "obj", imgs[k][0]), self.named(f"This is a {names[k]}. ", names[k], cats[k], k)]
        segs += [("img", "obj", imgs[q][1]), self.asked("Q: What is this? A: This is a", cats[q], q),
                 ("txt", self.ids(" " + names[q]), True)]
        # More queries in one episode (same supports, fresh renderings; sometimes a support image
        # itself, the easiest case) give the matching skill more signal per example.
        for _ in range(rng.randrange(self.episode_queries) if self.episode_queries > 1 else 0):
            q = rng.randrange(ways)
            pick = imgs[q][0] if rng.random() < self.same_image else rng.choice(self.by_cat[cats[q]])
            segs += [("txt", self.ids(". "), False), ("img", "obj", pick),
                     self.asked("Q: What is this? A: This is a", cats[q], q), ("txt", self.ids(" " + names[q]), True)]
        return segs

    # Targets of the auxiliary binding losses: a text segment may carry marks (offset, category, role, k): a
    # support's name ("name", support k) or a query's last token, where the answer is predicted ("query",
    # asking for support k). The relay loss reads the category at both; the match loss points the query's
    # attention at support k's name.
    def named(self, text: str, name: str, cat, k: int) -> tuple:
        ids, name_id = self.ids(text), self.ids(" " + name)[0]
        return ("txt", ids, False, [(ids.index(name_id), ms.CATEGORIES.index(cat), "name", k)] if name_id in ids else [])

    def asked(self, text: str, cat, k: int) -> tuple:
        ids = self.ids(text)
        return ("txt", ids, False, [(len(ids) - 1, ms.CATEGORIES.index(cat), "query", k)])

    def word_episode(self):
        """A fast-binding episode with each image replaced by its category in words ("red circle."): the
        same name-copying-by-match that image episodes need, on tokens, where it is learned fast."""
        rng = self.rng
        cats = ms.sample_category_pair(rng)
        names = ms.sample_names(rng, held_out=False)
        segs = [self.named(f"{c} {s}. This is a {n}. ", n, (c, s), k) for k, ((c, s), n) in enumerate(zip(cats, names))]
        for k in range(1 + (rng.randrange(self.episode_queries) if self.episode_queries > 1 else 0)):
            q = rng.randrange(2)
            c, s = cats[q]
            segs += [self.asked(f"{c} {s}. Q: What is this? A: This is a", (c, s), q), ("txt", self.ids(" " + names[q]), True)]
            segs += [("txt", self.ids(". "), False)]
        return segs[:-1]

    def batch(self, size: int, mix=(0.3, 0.3, 0.4)):
        kinds = self.rng.choices(["caption", "vqa", "episode", "words", "repeat"][: len(mix)], weights=mix, k=size)
        return [self.example(k) for k in kinds]


class TanhGELU(torch.nn.Module):
    """GPT-J's gelu_new as one fused op: transformers computes it from five elementwise ops (with their
    backward), 6-17% of a training step here (two interleaved pairs of ten steps). Same formula; the
    exported config keeps gelu_new."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(x, approximate="tanh")


def fuse_gelu(lm: GPTJForCausalLM) -> None:
    for block in lm.transformer.h:
        block.mlp.act = TanhGELU()


class Limber(torch.nn.Module):
    def __init__(self, lm: GPTJForCausalLM, visual: ModifiedResNet):
        super().__init__()
        self.lm = lm
        self.visual = visual
        self.visual.attnpool = torch.nn.Identity()    # LiMBeR removes the attention pool
        c = RESNET["width"] * 32
        self.proj = torch.nn.Linear(c, lm.config.n_embd)
        # Training-only auxiliary head (not exported): from the mean grid vector, the count (0-3) of
        # each of the 12 color-shape categories. It gives the encoder a direct signal early on.
        self.aux = torch.nn.Linear(c, len(ms.CATEGORIES) * 4)
        self.aux_weight = 0.0
        # Training-only relay head (not exported): from the hidden state after `relay_layer` blocks, at a
        # support's name and at a query's last token, the category of the episode item before it. Fast
        # binding needs both there (the name's image and the query's image) for one attention head to match
        # them; without a signal for each, neither forms (a saddle: each is useless without the other).
        self.relay = torch.nn.Linear(lm.config.n_embd, len(ms.CATEGORIES))
        self.relay_weight, self.relay_layer = 0.0, 2
        # Training-only match loss: head 0 of block `relay_layer` (0-based: the block that reads the relayed
        # categories), from a query's last token, should attend to the name of the support the query shows.
        self.match_weight = 0.0
        self.groups = 1

    def grid(self, px: torch.Tensor) -> torch.Tensor:
        x = self.visual(px)                      # (B, C, h, w)
        b, d, h, w = x.shape
        return x.reshape(b, d, h * w).permute(0, 2, 1)   # b d h w -> b (h w) d

    def image_tokens(self, px: torch.Tensor) -> torch.Tensor:
        return self.proj(self.grid(px))

    def forward(self, batch, batcher: Batcher, n_tok: int):
        imgs, counts = [], []
        for ex in batch:
            for s in ex:
                if s[0] == "img":
                    imgs.append(batcher.scene_px[s[2]] if s[1] == "scene" else batcher.obj_px[s[2]])
                    counts.append(batcher.counts(s[1], s[2]))
        aux = 0.0
        if imgs:      # a batch of text-only kinds (words episodes, repeats) has no images
            grid = self.grid(torch.stack(imgs).to(DEVICE).float())
            tokens = self.proj(grid)
        if imgs and self.aux_weight > 0:
            logits = self.aux(grid.mean(1)).view(len(imgs), -1, 4)
            aux = F.cross_entropy(logits.reshape(-1, 4), torch.tensor(counts, device=DEVICE).reshape(-1))
        wte = self.lm.transformer.wte
        rows, labels, marks = [], [], []
        k = 0
        for ex in batch:
            parts, lab, mk = [], [], []
            for s in ex:
                if s[0] == "img":
                    parts.append(tokens[k]); lab += [-100] * n_tok; k += 1
                else:
                    mk += [(len(lab) + off, cat, role, j) for off, cat, role, j in (s[3] if len(s) > 3 else [])]
                    parts.append(wte(torch.tensor(s[1], device=DEVICE)))
                    lab += list(s[1]) if s[2] else [-100] * len(s[1])
            rows.append(torch.cat(parts)); labels.append(lab); marks.append(mk)
        # The batch mixes 10-token repeats with 80-token episodes; padded together, two thirds of the
        # language model's work would be padding. Examples sorted by length run in groups instead; every
        # loss below is a sum over a group divided by its count over the whole batch, so the result is
        # the whole batch's mean (the encoder above still sees the whole batch: BatchNorm is unchanged).
        order = sorted(range(len(batch)), key=lambda i: len(labels[i]))
        groups = [order[g * len(order) // self.groups: (g + 1) * len(order) // self.groups] for g in range(self.groups)]
        n_relay = n_match = 0
        text = torch.zeros((), device=DEVICE)
        relay_sum = torch.zeros((), device=DEVICE)
        match_sum = torch.zeros((), device=DEVICE)
        for group in groups:
            if not group:
                continue
            L = max(len(labels[i]) for i in group)
            emb = torch.zeros(len(group), L, wte.embedding_dim, device=DEVICE)
            lab_t = torch.full((len(group), L), -100, dtype=torch.long)
            mask = torch.zeros(len(group), L, dtype=torch.long)
            relay, pairs = [], []
            for r, i in enumerate(group):
                n = len(labels[i])
                emb[r, :n] = rows[i]
                lab_t[r, :n] = torch.tensor(labels[i])
                mask[r, :n] = 1
                relay += [(r, p, cat) for p, cat, _, _ in marks[i]]
                names = {j: p for p, _, role, j in marks[i] if role == "name"}
                pairs += [(r, p, names[j]) for p, _, role, j in marks[i] if role == "query" and j in names]
            lab_t, mask = lab_t.to(DEVICE), mask.to(DEVICE)
            n_relay, n_match = n_relay + len(relay), n_match + len(pairs)
            want_relay = self.relay_weight > 0 and relay
            want_match = self.match_weight > 0 and pairs
            out = self.lm(inputs_embeds=emb, attention_mask=mask, output_hidden_states=bool(want_relay),
                          output_attentions=bool(want_match))
            if want_relay:
                h = out.hidden_states[self.relay_layer]
                at = torch.tensor([(r, p) for r, p, _ in relay], device=DEVICE)
                relay_sum = relay_sum + F.cross_entropy(self.relay(h[at[:, 0], at[:, 1]]),
                                                        torch.tensor([c for *_, c in relay], device=DEVICE),
                                                        reduction="sum")
            if want_match:
                att = out.attentions[self.relay_layer][:, 0]       # (B, L, L)
                at = torch.tensor(pairs, device=DEVICE)
                match_sum = match_sum - torch.log(att[at[:, 0], at[:, 1], at[:, 2]] + 1e-6).sum()
            # Mean over each example's loss tokens, then over examples: a fast-binding episode (one
            # answer token) weighs as much as a caption (a dozen tokens).
            logits = out.logits
            tgt = lab_t[:, 1:]
            ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), tgt.reshape(-1),
                                 ignore_index=-100, reduction="none").view(tgt.shape)
            m = (tgt != -100).float()
            text = text + ((ce * m).sum(1) / m.sum(1).clamp(min=1)).sum()
        binding_loss = torch.zeros((), device=DEVICE)
        if self.relay_weight > 0 and n_relay:
            binding_loss = binding_loss + self.relay_weight * relay_sum / n_relay
        if self.match_weight > 0 and n_match:
            binding_loss = binding_loss + self.match_weight * match_sum / n_match
        self.last_binding = binding_loss.item()
        return text / len(batch) + self.aux_weight * aux + binding_loss


# ---------------------------------------------------------------------------
# Export


def export_cpu(model: "Limber", tok_dir: Path, out: Path) -> None:
    model.eval()
    model.cpu()
    export(model, tok_dir, out)
    model.to(DEVICE)
    model.train()


def write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def export(model: Limber, tok_dir: Path, out: Path) -> None:
    hf = out / "hf"
    if hf.exists():
        shutil.rmtree(hf)
    hf.mkdir(parents=True)
    assert model.lm.lm_head.weight.data_ptr() != model.lm.transformer.wte.weight.data_ptr()
    model.lm.save_pretrained(str(hf))
    # Tokenizer files as tools/reference/make_gptj_fixtures.py writes them.
    shutil.copyfile(tok_dir / "vocab.json", hf / "vocab.json")
    shutil.copyfile(tok_dir / "merges.txt", hf / "merges.txt")
    t = GPT2TokenizerFast.from_pretrained(str(tok_dir))
    t.save_pretrained(str(hf))
    tc = json.loads((hf / "tokenizer_config.json").read_text())
    for key in ("is_local", "local_files_only"):
        tc.pop(key, None)
    write_json(hf / "tokenizer_config.json", tc)
    write_json(hf / "special_tokens_map.json", {"bos_token": EOT, "eos_token": EOT, "unk_token": EOT})
    # CLIP-style visual state dict: the trained tower plus an untrained attnpool (the converter reads
    # the image size from visual.attnpool.positional_embedding and then drops the pool).
    with torch.random.fork_rng():      # an export in mid-training (--keep-best) leaves its RNG alone
        torch.manual_seed(0)
        full = ModifiedResNet(**RESNET)
    missing, unexpected = full.load_state_dict(model.visual.state_dict(), strict=False)
    assert not unexpected and all(k.startswith("attnpool.") for k in missing), (missing, unexpected)
    torch.save({"visual." + k: v.detach().clone().contiguous() for k, v in full.state_dict().items()},
               str(out / "clip-visual.pt"))
    torch.save({k: v.detach().clone().contiguous() for k, v in model.proj.state_dict().items()},
               str(out / "proj.ckpt"))


class Scorer:
    """Greedy decoding and continuation scoring with the PyTorch model, prompts built as Glimpse builds
    them (text between images tokenized piece by piece)."""

    def __init__(self, model: Limber, batcher: Batcher):
        self.model, self.batcher = model, batcher
        self.tf = clip.clip._transform(N_PX)
        self.wte = model.lm.transformer.wte

    def embed(self, pieces: list) -> torch.Tensor:
        parts = []
        for p in pieces:
            if isinstance(p, bytes):
                px = to_tensor(p, self.tf)[None].to(DEVICE)
                parts.append(self.model.image_tokens(px)[0])
            elif p:
                parts.append(self.wte(torch.tensor(self.batcher.ids(p), device=DEVICE)))
        return torch.cat(parts)

    def greedy(self, pieces: list, stop: str, limit: int = 24) -> str:
        e, out = self.embed(pieces), []
        for _ in range(limit):
            t = int(self.model.lm(inputs_embeds=e[None]).logits[0, -1, : len(self.batcher.tok)].argmax())
            if t == self.batcher.eot:
                break
            out.append(t)
            if stop in self.batcher.tok.decode(out):
                break
            e = torch.cat([e, self.wte(torch.tensor([t], device=DEVICE))])
        return self.batcher.tok.decode(out).split(stop)[0]

    def logprob(self, pieces: list, continuation: str) -> float:
        ids = self.batcher.ids(continuation)
        e = torch.cat([self.embed(pieces), self.wte(torch.tensor(ids, device=DEVICE))])
        lp = self.model.lm(inputs_embeds=e[None]).logits[0].float().log_softmax(-1)
        n = len(ids)
        return float(sum(lp[-n - 1 + k, ids[k]] for k in range(n)))


HEADLINE = ("caption_exact", "vqa", "fastbinding", "fastbinding-novel-pairs")


@torch.no_grad()
def val_eval(model: Limber, batcher: Batcher, val: Path) -> dict:
    """The shipped validation set scored in PyTorch (greedy): caption exact match, VQA exact-answer
    accuracy (all ten human answers agree there, so it equals VQA accuracy) and 2-way fast binding.
    A training-time estimate of what tools/train/evaluate.py measures with Glimpse."""
    model.eval()
    sc = Scorer(model, batcher)
    img = lambda name: (val / "images" / name).read_bytes()  # noqa: E731
    scenes = json.loads((val / "scenes.json").read_text())
    files = {s["image_id"]: s["file_name"] for s in scenes}
    r: dict = {}
    r["caption_exact"] = sum(sc.greedy([img(s["file_name"]), "A picture of"], ".").strip() == s["caption"]
                             for s in scenes) / len(scenes)
    qs = json.loads((val / "questions.json").read_text())["questions"]
    ans = {a["question_id"]: a for a in json.loads((val / "annotations.json").read_text())["annotations"]}
    by_type: dict = {}
    for q in qs:
        got = sc.greedy([img(files[q["image_id"]]), f"Q: {q['question']} A:"], "\n").strip()
        a = ans[q["question_id"]]
        by_type.setdefault(a["answer_type"], []).append(got == a["multiple_choice_answer"])
    r["vqa"] = sum(sum(v) for v in by_type.values()) / len(qs)
    for t, v in sorted(by_type.items()):
        r["vqa_" + t] = sum(v) / len(v)
    for split in ("fastbinding", "fastbinding-novel-pairs"):
        eps = json.loads((val / f"{split}.json").read_text())
        right = 0
        for ep in eps:
            texts = ep["prompt"].split("<image>")[1:]
            imgs = [(val / s["image"]).read_bytes() for s in ep["support"]] + [(val / ep["query"]["image"]).read_bytes()]
            pieces = [x for pair in zip(imgs, texts) for x in pair]
            scores = [sc.logprob(pieces, c) for c in ep["candidates"]]
            right += ep["candidates"][scores.index(max(scores))].strip() == ep["answer"]
        r[split] = right / len(eps)
    model.train()
    return {k: round(v, 3) for k, v in r.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/tmp/limber-train"))
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--groups", type=int, default=3,
                    help="run the language model on the batch in this many groups of similar length (less padding; "
                         "the loss is the same)")
    ap.add_argument("--scenes", type=int, default=10000)
    ap.add_argument("--objects", type=int, default=3600)
    ap.add_argument("--mix", type=float, nargs="+", default=[0.3, 0.3, 0.4],
                    help="weights of caption, VQA and fast-binding examples, and optionally of fast-binding "
                         "episodes in words (categories written out instead of images), and of repeated random "
                         "token sequences")
    ap.add_argument("--stop-at", type=int, default=None,
                    help="stop after this many steps (the schedule still spans --steps)")
    ap.add_argument("--aux", type=float, default=0.0, help="weight of the auxiliary count loss")
    ap.add_argument("--relay", type=float, default=0.0,
                    help="weight of the auxiliary relay loss (the category of the episode item before a support's "
                         "name and a query's answer, read from the hidden state after --relay-layer blocks)")
    ap.add_argument("--relay-layer", type=int, default=2)
    ap.add_argument("--match", type=float, default=0.0,
                    help="weight of the auxiliary match loss (head 0 of block --relay-layer attends from a query's "
                         "last token to the name of the support it shows)")
    ap.add_argument("--data-seed", type=int, default=None, help="seed of the rendered pools (default: --seed)")
    ap.add_argument("--episode-queries", type=int, default=1,
                    help="fast-binding episodes hold 1 to this many queries")
    ap.add_argument("--episode-ways", type=int, default=2,
                    help="fast-binding episodes hold 2 to this many supports")
    ap.add_argument("--same-image", type=float, default=0.0,
                    help="chance that an extra query shows a support image itself")
    ap.add_argument("--px", type=int, default=64, help="encoder input size (grid = (px/32)^2 soft tokens)")
    ap.add_argument("--device", default="cpu", help="torch device (cpu or cuda)")
    ap.add_argument("--val", type=Path, default=Path(__file__).resolve().parents[2] / "models" / "val",
                    help="validation set scored at the end (and every --eval-every steps)")
    ap.add_argument("--eval-every", type=int, default=0)
    ap.add_argument("--skip-eval", action="store_true",
                    help="no score at the end (for a stage that does not train the tasks, e.g. repeats only)")
    ap.add_argument("--keep-best", action="store_true",
                    help="with --eval-every: also export, to OUT/best, the evaluated state with the best mean of "
                         "caption exact match, VQA and both fast-binding splits")
    ap.add_argument("--init", type=Path, default=None,
                    help="continue from a previous OUT (its tokenizer and weights); a new cosine schedule")
    ap.add_argument("--fresh-lm", action="store_true",
                    help="with --init: keep its tokenizer, encoder and projection, start GPT-J from scratch")
    ap.add_argument("--freeze-lm", action="store_true",
                    help="with --init: train only the encoder and projection through the frozen GPT-J (as "
                         "Frozen does), so that images learn to use the language model's in-context circuits")
    a = ap.parse_args()
    if a.fresh_lm and a.init is None:
        ap.error("--fresh-lm needs --init")
    if a.freeze_lm and (a.init is None or a.fresh_lm):
        ap.error("--freeze-lm needs --init (and a trained GPT-J: not --fresh-lm)")
    if a.keep_best and not a.eval_every:
        ap.error("--keep-best needs --eval-every")
    global N_PX, DEVICE
    N_PX, DEVICE = a.px, torch.device(a.device)
    RESNET["input_resolution"] = N_PX
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    a.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if a.init is not None:
        if (a.out / "tok").resolve() != (a.init / "tok").resolve():
            shutil.copytree(a.init / "tok", a.out / "tok", dirs_exist_ok=True)
        tok = GPT2TokenizerFast.from_pretrained(str(a.out / "tok"))
    else:
        tok = train_tokenizer(a.out / "tok", a.seed)
    print(f"tokenizer: {len(tok)} entries", flush=True)
    data_seed = a.seed if a.data_seed is None else a.data_seed
    pools = build_pools(data_seed, a.scenes, a.objects)
    print(f"pools: {len(pools[0])} scenes, {pools[3].shape[0]} objects ({time.time() - t0:.0f} s)", flush=True)
    batcher = Batcher(tok, pools, data_seed)
    batcher.episode_queries, batcher.same_image, batcher.episode_ways = a.episode_queries, a.same_image, a.episode_ways

    cfg = GPTJConfig(**LM, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, tie_word_embeddings=False,
                     bos_token_id=batcher.eot, eos_token_id=batcher.eot)
    lm = GPTJForCausalLM(cfg)
    visual = ModifiedResNet(**RESNET)
    model = Limber(lm, visual)
    if a.init is not None:
        if not a.fresh_lm:
            model.lm = GPTJForCausalLM.from_pretrained(str(a.init / "hf"))
        vsd = {k[len("visual."):]: v for k, v in torch.load(str(a.init / "clip-visual.pt")).items()
               if not k.startswith("visual.attnpool.")}
        model.visual.load_state_dict(vsd)
        model.proj.load_state_dict(torch.load(str(a.init / "proj.ckpt")))
        print(f"initialized from {a.init}", flush=True)
    fuse_gelu(model.lm)
    model.aux_weight = a.aux
    model.relay_weight, model.relay_layer = a.relay, a.relay_layer
    model.match_weight = a.match
    model.groups = max(1, a.groups)
    model.to(DEVICE)
    n_tok = (N_PX // 32) ** 2
    print(f"params: lm {sum(p.numel() for p in lm.parameters()) / 1e6:.2f} M, "
          f"visual {sum(p.numel() for p in model.visual.parameters()) / 1e6:.2f} M", flush=True)
    if a.freeze_lm:
        model.lm.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=a.lr, weight_decay=0.01, betas=(0.9, 0.98))
    warm = 100
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / a.steps)))))
    model.train()
    t1 = time.time()
    ema = None
    best = -1.0
    last_val = None       # (step, scores) of the latest evaluation
    for step in range(a.steps if a.stop_at is None else min(a.steps, a.stop_at)):
        loss = model(batcher.batch(a.batch, tuple(a.mix)), batcher, n_tok)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        sched.step()
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        if step % 50 == 0 or step == a.steps - 1:
            el = time.time() - t1
            print(f"step {step} loss {ema:.4f}" + (f" binding aux {model.last_binding:.3f}" if a.relay or a.match else "") +
                  f" lr {sched.get_last_lr()[0]:.2e} {el:.0f} s "
                  f"(eta {el / (step + 1) * (a.steps - step - 1):.0f} s)", flush=True)
        if a.eval_every and step % a.eval_every == a.eval_every - 1:
            v = val_eval(model, batcher, a.val)
            print(f"step {step} val {json.dumps(v)}", flush=True)
            last_val = (step, v)
            # Late binding scores swing by several points between evaluations; keep the best state.
            headline = sum(v[k] for k in HEADLINE) / len(HEADLINE)
            if a.keep_best and headline > best:
                best = headline
                export_cpu(model, a.out / "tok", a.out / "best")
                (a.out / "best" / "step.json").write_text(json.dumps({"step": step + 1, **v}) + "\n")
    export_cpu(model, a.out / "tok", a.out)
    print(f"trained in {time.time() - t1:.0f} s; total {time.time() - t0:.0f} s", flush=True)
    if last_val is not None and last_val[0] == step:
        print(f"val {json.dumps(last_val[1])}", flush=True)
    elif not a.skip_eval:
        print(f"val {json.dumps(val_eval(model, batcher, a.val))}", flush=True)


if __name__ == "__main__":
    main()
