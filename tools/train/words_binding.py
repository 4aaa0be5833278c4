#!/usr/bin/env python3
"""Fast binding in words alone: can a GPT-J of the shipped size learn the copy-by-match that fast-binding
episodes need, with the images replaced by their categories written out?

    red circle. This is a dax. blue square. This is a wug. red circle. Q: What is this? A: This is a -> " dax"

Trains on such episodes only (names from make_scenes.TRAIN_PAIRS, several queries per episode, loss on the
answer tokens; --repeat mixes in random token sequences shown twice, which make the circuit form) and every
100 steps prints the batch loss and the 2-way accuracy (the candidate with the
higher log-probability) on 200 fresh episodes with training pairs and 200 with held-out pairs.

    /work/venv/bin/python tools/train/words_binding.py --init /tmp/lt4 --steps 1500 --lr 5e-4
    /work/venv/bin/python tools/train/words_binding.py --scratch --tiny --batch 64 --min-queries 8 --queries 8 --lr 3e-3
    /work/venv/bin/python tools/train/words_binding.py --scratch --tiny --repeat 0.5 --ways 4 --min-queries 4 --queries 4 --lr 2e-3 --steps 2000

--init takes a train_limber.py output (its tokenizer and GPT-J); --scratch starts a fresh GPT-J of the same
config (--tiny: 2 layers, width 128) with --init's tokenizer. Results are in models/README.md.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_scenes as ms  # noqa: E402
import train_limber as tl  # noqa: E402
from transformers import GPT2TokenizerFast, GPTJConfig, GPTJForCausalLM  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", type=Path, default=Path("/tmp/lt4"), help="train_limber.py output: tokenizer (and weights)")
    ap.add_argument("--scratch", action="store_true", help="fresh GPT-J weights instead of --init's")
    ap.add_argument("--tiny", action="store_true", help="with --scratch: 2 layers, width 128")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--queries", type=int, default=3, help="most queries per training episode")
    ap.add_argument("--min-queries", type=int, default=1, help="fewest queries per training episode")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--ways", type=int, default=2, help="training episodes hold 2 to this many supports")
    ap.add_argument("--repeat", type=float, default=0.0,
                    help="share of the batch that is a random token sequence shown twice (loss on the second copy)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    tok = GPT2TokenizerFast.from_pretrained(str(a.init / "tok"))
    if a.scratch:
        cfg = dict(tl.LM)
        if a.tiny:
            cfg.update(n_embd=128, n_layer=2, n_head=4, rotary_dim=16)
        lm = GPTJForCausalLM(GPTJConfig(**cfg, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, tie_word_embeddings=False))
    else:
        lm = GPTJForCausalLM.from_pretrained(str(a.init / "hf"))

    def episode(held_out: bool, n_queries: int, ways: int = 2):
        """Segments (ids, is_answer) tokenized piece by piece, the names, and the queried indices."""
        cats, names = ms.sample_supports(rng, ways, held_out)
        segs = [(tok.encode(f"{c} {s}. This is a {n}. "), False) for (c, s), n in zip(cats, names)]
        queried = []
        for k in range(n_queries):
            q = rng.randrange(len(cats))
            c, s = cats[q]
            segs += [(tok.encode(f"{c} {s}. Q: What is this? A: This is a"), False), (tok.encode(" " + names[q]), True)]
            queried.append(q)
            if k < n_queries - 1:
                segs.append((tok.encode(". "), False))
        return segs, names, queried

    def batch(n: int):
        rows, labels = [], []
        for _ in range(n):
            if a.repeat > 0 and rng.random() < a.repeat:
                segs = [(ids, loss) for _, ids, loss in tl.repeated_tokens(rng, len(tok))]
            else:
                segs, _, _ = episode(False, rng.randint(a.min_queries, a.queries), rng.randint(2, a.ways) if a.ways > 2 else 2)
            ids = [t for s, _ in segs for t in s]
            lab = [t if answer else -100 for s, answer in segs for t in s]
            rows.append(ids)
            labels.append(lab)
        width = max(map(len, rows))
        x = torch.zeros(n, width, dtype=torch.long)
        y = torch.full((n, width), -100)
        m = torch.zeros(n, width, dtype=torch.long)
        for i, (r, lab) in enumerate(zip(rows, labels)):
            x[i, : len(r)], y[i, : len(lab)], m[i, : len(r)] = torch.tensor(r), torch.tensor(lab), 1
        return x, y, m

    @torch.no_grad()
    def accuracy(held_out: bool, n: int = 200) -> float:
        lm.eval()
        right = 0
        for _ in range(n):
            segs, names, queried = episode(held_out, 1)
            context = [t for s, _ in segs[:-1] for t in s]
            scores = []
            for name in names:
                cont = tok.encode(" " + name)
                lp = lm(torch.tensor([context + cont])).logits[0].log_softmax(-1)
                scores.append(sum(float(lp[len(context) - 1 + k, cont[k]]) for k in range(len(cont))))
            right += scores.index(max(scores)) == queried[0]
        lm.train()
        return right / n

    opt = torch.optim.AdamW(lm.parameters(), lr=a.lr, weight_decay=0.01, betas=(0.9, 0.98))
    lm.train()
    print(f"step 0: accuracy {accuracy(False):.3f} (training pairs), {accuracy(True):.3f} (held-out pairs)", flush=True)
    start = time.time()
    for step in range(1, a.steps + 1):
        x, y, m = batch(a.batch)
        logits = lm(x, attention_mask=m).logits
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), y[:, 1:].reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(lm.parameters(), 1.0)
        opt.step()
        if step % 100 == 0:
            print(f"step {step}: loss {loss.item():.3f} (ln 2 = 0.693), accuracy {accuracy(False):.3f} / "
                  f"{accuracy(True):.3f}, {time.time() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
