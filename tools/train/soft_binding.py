#!/usr/bin/env python3
"""Can a trained GPT-J bind names to soft tokens at all? The most favourable image encoder there could be:
each of the 12 color-shape categories gets n free embeddings (the soft tokens an image would give), and only
those are trained, through the frozen GPT-J, on fast-binding episodes in the image format

    <n soft tokens>This is a dax. <n soft tokens>This is a wug. <n soft tokens>Q: What is this? A: This is a -> " dax"

Every 50 steps it prints the 2-way accuracy (the candidate name with the higher log-probability) on 100
fixed fresh episodes. --init words starts each category from the embeddings of its words ("red circle.",
padded to n tokens): the language model's copy-by-match over words then applies directly; --init random
starts from random vectors of the embeddings' scale.

    /work/venv/bin/python tools/train/soft_binding.py /tmp/ltB --init words --steps 0
    /work/venv/bin/python tools/train/soft_binding.py /tmp/ltB --init random --steps 300
    /work/venv/bin/python tools/train/soft_binding.py /tmp/ltB --fresh-vectors 0.3 --lr 1e-3 --steps 400 --batch 32

--fresh-vectors trains the language model itself instead, on episodes whose categories are random soft
tokens drawn anew for every episode: can it learn a lookup over continuous inputs?

The argument is a train_limber.py output (its tokenizer and GPT-J). Results are in models/README.md.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_scenes as ms  # noqa: E402
from transformers import GPT2TokenizerFast, GPTJForCausalLM  # noqa: E402

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path, help="a train_limber.py output directory")
    ap.add_argument("--init", choices=["words", "random"], default="random")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--soft-tokens", type=int, default=4)
    ap.add_argument("--lr", type=float, default=3e-2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--fresh-vectors", type=float, default=None, metavar="NOISE",
                    help="instead: train the language model itself (lr --lr) on episodes whose categories are "
                         "random soft tokens drawn anew for every episode, the query's being its support's plus "
                         "this much relative noise (a fresh rendering)")
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    lm = GPTJForCausalLM.from_pretrained(str(a.model / "hf")).eval()
    tok = GPT2TokenizerFast.from_pretrained(str(a.model / "tok"))
    wte = lm.transformer.wte.weight
    n, width, scale = a.soft_tokens, wte.shape[1], wte.std().item()
    text = lambda t: wte[torch.tensor(tok.encode(t))]  # noqa: E731

    def layout(items: list, query, names: list[str]) -> list:
        """The image-format episode around its items' soft tokens."""
        parts = []
        for item, name in zip(items, names):
            parts += [item, text(f"This is a {name}. ")]
        return parts + [query, text("Q: What is this? A: This is a")]

    if a.fresh_vectors is None:
        # Only the categories' soft tokens are trained, through the frozen language model.
        lm.requires_grad_(False)
        if a.init == "words":
            rows = []
            for c, s in ms.CATEGORIES:
                ids = tok.encode(f"{c} {s}.")
                rows.append(wte[(ids + ids[-1:] * n)[:n]].clone())
            soft = torch.nn.Parameter(torch.stack(rows))
        else:
            soft = torch.nn.Parameter(torch.randn(len(ms.CATEGORIES), n, width) * scale)
        params, clip_norm = [soft], None

        def episode(rng: random.Random, gen: torch.Generator, ways: int):
            cats, names = ms.sample_supports(rng, ways)
            q = rng.randrange(ways)
            items = [soft[ms.CATEGORIES.index(c)] for c in cats]
            return layout(items, items[q], names), names, q
    else:
        params, clip_norm = list(lm.parameters()), 1.0

        def episode(rng: random.Random, gen: torch.Generator, ways: int):
            items = list(torch.randn(ways, n, width, generator=gen) * scale)
            names = ms.sample_supports(rng, ways)[1]
            q = rng.randrange(ways)
            query = items[q] + a.fresh_vectors * scale * torch.randn(n, width, generator=gen)
            return layout(items, query, names), names, q

    def nll(parts: list, name: str) -> torch.Tensor:
        answer = tok.encode(" " + name)
        x = torch.cat(parts + [wte[torch.tensor(answer)]])[None]
        lp = lm(inputs_embeds=x).logits[0].log_softmax(-1)
        start = x.shape[1] - len(answer) - 1
        return -sum(lp[start + i, t] for i, t in enumerate(answer))

    def accuracy() -> float:
        rng, gen, right = random.Random(99), torch.Generator().manual_seed(99), 0
        lm.eval()
        with torch.no_grad():
            for _ in range(100):
                parts, names, q = episode(rng, gen, 2)
                scores = [nll(parts, name).item() for name in names]
                right += int(scores.index(min(scores)) == q)
        return right / 100

    opt = torch.optim.Adam(params, lr=a.lr)
    print(f"step 0 binding {accuracy():.2f}", flush=True)
    rng, gen = random.Random(1), torch.Generator().manual_seed(1)
    for step in range(1, a.steps + 1):
        if clip_norm:
            lm.train()
        loss = 0.0
        for _ in range(a.batch):
            parts, names, q = episode(rng, gen, rng.randint(2, 3))
            loss = loss + nll(parts, names[q])
        opt.zero_grad()
        (loss / a.batch).backward()
        if clip_norm:
            torch.nn.utils.clip_grad_norm_(params, clip_norm)
        opt.step()
        if step % 50 == 0:
            print(f"step {step} loss {loss.item() / a.batch:.3f} binding {accuracy():.2f}", flush=True)


if __name__ == "__main__":
    main()
