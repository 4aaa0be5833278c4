#!/usr/bin/env python3
"""Deterministic synthetic scenes for training and evaluating a small LiMBeR-style model.

A scene holds 1-3 objects (shape: circle, square, triangle; color: red, green, blue, yellow;
size: small or large) at jittered, non-overlapping positions on a plain or textured background,
with mild pixel noise, rendered 64x64 and stored as JPEG. Each scene has

- a canonical caption: objects grouped by (color, shape), groups ordered by shape
  (circle, square, triangle) then color (red, green, blue, yellow), each group written
  "a red circle" or "two red circles", joined "A, B and C" -> "two red circles and a blue square";
- VQA pairs whose answer is unambiguous (color of the only square, shape of the only green object,
  counts, yes/no presence, size of the only red circle);
- Frozen-style fast-binding episodes: two single-object categories (color + shape) named by two
  invented words drawn per episode; the query is a fresh rendering of one of them.

Names: 36 invented words; pairs whose index pair falls in HELD_OUT_PAIRS never appear together in
a training episode ("novel pairs" split of the validation episodes).

    python tools/train/make_scenes.py --out models/val     # the shipped validation set
"""
from __future__ import annotations

import argparse
import io
import json
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SIZE = 64          # rendered image size (the encoder input is 64 px)
SS = 4             # supersampling factor for anti-aliased shapes

SHAPES = ["circle", "square", "triangle"]
COLORS = ["red", "green", "blue", "yellow"]
CATEGORIES = [(c, s) for c in COLORS for s in SHAPES]   # the 12 color-shape kinds of object
SIZES = ["small", "large"]
NUMBERS = ["zero", "one", "two", "three"]   # in captions
DIGITS = ["0", "1", "2", "3"]                # count answers, as VQAv2 stores them
RGB = {"red": (215, 40, 40), "green": (40, 170, 60), "blue": (40, 70, 220), "yellow": (235, 205, 35)}
RADIUS = {"small": 7.0, "large": 12.0}   # half extent in pixels at 64 px

NAMES = ["dax", "blicket", "wug", "zorp", "fep", "tufa", "gazzer", "mipsy", "toma", "kiki",
         "bouba", "lorp", "snig", "vonk", "yark", "pilk", "quiv", "drell", "bemp", "chomi",
         "flurb", "grum", "hesk", "jibble", "kront", "mave", "nupo", "plam", "rizz", "stob",
         "trill", "urma", "vosk", "wimble", "zeb", "fendle"]


def _pair_held_out(i: int, j: int) -> bool:
    a, b = min(i, j), max(i, j)
    return (a * 7 + b * 3) % 6 == 0


HELD_OUT_PAIRS = [(i, j) for i in range(len(NAMES)) for j in range(i + 1, len(NAMES)) if _pair_held_out(i, j)]
TRAIN_PAIRS = [(i, j) for i in range(len(NAMES)) for j in range(i + 1, len(NAMES)) if not _pair_held_out(i, j)]


# ---------------------------------------------------------------------------
# Scene sampling and rendering


def sample_objects(rng: random.Random, n: int | None = None) -> list[dict]:
    n = n if n is not None else rng.choice([1, 2, 2, 3, 3])
    objs: list[dict] = []
    tries = 0
    while len(objs) < n:
        tries += 1
        if tries > 200:  # restart if packing failed
            objs, tries = [], 0
        size = rng.choice(SIZES)
        r = RADIUS[size] * rng.uniform(0.9, 1.1)
        x = rng.uniform(r + 2, SIZE - r - 2)
        y = rng.uniform(r + 2, SIZE - r - 2)
        if any((x - o["x"]) ** 2 + (y - o["y"]) ** 2 < (r + o["r"] + 3) ** 2 for o in objs):
            continue
        objs.append({"shape": rng.choice(SHAPES), "color": rng.choice(COLORS), "size": size,
                     "x": x, "y": y, "r": r, "rot": rng.uniform(-0.25, 0.25)})
    return objs


def _background(rng: random.Random) -> Image.Image:
    base = tuple(rng.randint(150, 245) for _ in range(3))
    # Keep the background greyish so object colors stay unambiguous.
    m = sum(base) // 3
    base = tuple(int(0.6 * m + 0.4 * c) for c in base)
    img = Image.new("RGB", (SIZE * SS, SIZE * SS), base)
    kind = rng.choice(["plain", "plain", "stripes", "checker", "dots"])
    if kind == "plain":
        return img
    d = ImageDraw.Draw(img)
    alt = tuple(max(0, min(255, c + rng.choice([-1, 1]) * rng.randint(15, 30))) for c in base)
    step = rng.randint(6, 12) * SS
    if kind == "stripes":
        vertical = rng.random() < 0.5
        for k in range(0, SIZE * SS, 2 * step):
            box = (k, 0, k + step - 1, SIZE * SS) if vertical else (0, k, SIZE * SS, k + step - 1)
            d.rectangle(box, fill=alt)
    elif kind == "checker":
        for a in range(0, SIZE * SS, step):
            for b in range(0, SIZE * SS, step):
                if (a // step + b // step) % 2 == 0:
                    d.rectangle((a, b, a + step - 1, b + step - 1), fill=alt)
    else:
        for _ in range(rng.randint(15, 40)):
            cx, cy = rng.uniform(0, SIZE * SS), rng.uniform(0, SIZE * SS)
            rr = rng.uniform(1, 2.5) * SS
            d.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=alt)
    return img


def _jitter_color(rng: random.Random, rgb: tuple) -> tuple:
    return tuple(max(0, min(255, c + rng.randint(-20, 20))) for c in rgb)


def render(objs: list[dict], rng: random.Random) -> bytes:
    """Render objects to a 64x64 JPEG (quality 85-95) and return its bytes."""
    import math

    img = _background(rng)
    d = ImageDraw.Draw(img)
    for o in objs:
        fill = _jitter_color(rng, RGB[o["color"]])
        x, y, r = o["x"] * SS, o["y"] * SS, o["r"] * SS
        if o["shape"] == "circle":
            d.ellipse((x - r, y - r, x + r, y + r), fill=fill)
        elif o["shape"] == "square":
            h = r * 0.9
            pts = [(-h, -h), (h, -h), (h, h), (-h, h)]
            c, s = math.cos(o["rot"]), math.sin(o["rot"])
            d.polygon([(x + px * c - py * s, y + px * s + py * c) for px, py in pts], fill=fill)
        else:
            pts = [(0, -r), (r * 0.95, r * 0.75), (-r * 0.95, r * 0.75)]
            c, s = math.cos(o["rot"]), math.sin(o["rot"])
            d.polygon([(x + px * c - py * s, y + px * s + py * c) for px, py in pts], fill=fill)
    img = img.resize((SIZE, SIZE), Image.LANCZOS)
    if rng.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.6)))
    # Pixel noise.
    sigma = rng.uniform(0, 8)
    if sigma > 1:
        px = img.load()
        for _ in range(SIZE * SIZE // 8):
            i, j = rng.randrange(SIZE), rng.randrange(SIZE)
            v = px[i, j]
            dv = int(rng.gauss(0, sigma))
            px[i, j] = tuple(max(0, min(255, c + dv)) for c in v)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=rng.randint(85, 95))
    return buf.getvalue()


# ---------------------------------------------------------------------------
# Text


def plural(shape: str) -> str:
    return shape + "s"


def caption(objs: list[dict]) -> str:
    groups: dict[tuple, int] = {}
    for o in objs:
        groups[(o["shape"], o["color"])] = groups.get((o["shape"], o["color"]), 0) + 1
    keys = sorted(groups, key=lambda k: (SHAPES.index(k[0]), COLORS.index(k[1])))
    parts = []
    for shape, color in keys:
        n = groups[(shape, color)]
        parts.append(f"a {color} {shape}" if n == 1 else f"{NUMBERS[n]} {color} {plural(shape)}")
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def paraphrases(objs: list[dict]) -> list[str]:
    """Five references: the canonical caption plus light paraphrases (word order of groups)."""
    c = caption(objs)
    refs = [c, c, c]
    groups = caption(objs).replace(" and ", ", ").split(", ")
    rev = groups[::-1]
    alt = rev[0] if len(rev) == 1 else ", ".join(rev[:-1]) + " and " + rev[-1]
    refs.append(alt)
    refs.append("there is " + c if len(objs) == 1 else "there are " + c)
    return refs


def questions(objs: list[dict], rng: random.Random) -> list[tuple[str, str, str]]:
    """All unambiguous (question, answer, answer_type) pairs for a scene, shuffled."""
    out = []
    shapes = [o["shape"] for o in objs]
    colors = [o["color"] for o in objs]
    for s in SHAPES:
        n = shapes.count(s)
        out.append((f"How many {plural(s)} are there?", DIGITS[n], "number"))
        if n == 1:
            o = objs[shapes.index(s)]
            out.append((f"What color is the {s}?", o["color"], "other"))
    out.append(("How many objects are there?", DIGITS[len(objs)], "number"))
    for c in COLORS:
        if colors.count(c) == 1:
            o = objs[colors.index(c)]
            out.append((f"What shape is the {c} object?", o["shape"], "other"))
    pairs = [(o["color"], o["shape"]) for o in objs]
    for o in objs:
        if pairs.count((o["color"], o["shape"])) == 1:
            out.append((f"What size is the {o['color']} {o['shape']}?", o["size"], "other"))
    # yes/no: one present, one absent combination
    present = set(pairs)
    c, s = rng.choice(sorted(present))
    out.append((f"Is there a {c} {s}?", "yes", "yes/no"))
    absent = [x for x in CATEGORIES if x not in present]
    c, s = rng.choice(absent)
    out.append((f"Is there a {c} {s}?", "no", "yes/no"))
    rng.shuffle(out)
    return out


def episode_prompt(names: list[str]) -> str:
    return "".join(f"<image>This is a {n}. " for n in names) + "<image>Q: What is this? A: This is a"


def sample_category_pair(rng: random.Random) -> list[tuple[str, str]]:
    a = rng.choice(CATEGORIES)
    b = rng.choice([x for x in CATEGORIES if x != a])
    return [a, b]


def single_object(rng: random.Random, color: str, shape: str) -> list[dict]:
    o = sample_objects(rng, 1)[0]
    o["color"], o["shape"] = color, shape
    return [o]


def sample_supports(rng: random.Random, ways: int, held_out: bool = False) -> tuple[list, list[str]]:
    """A fast-binding episode's distinct categories and names. Two ways: a training (or held-out) pair;
    more: names of which every two form a training pair, never a held-out one."""
    if ways == 2:
        return sample_category_pair(rng), sample_names(rng, held_out)
    cats = rng.sample(CATEGORIES, ways)
    train = set(TRAIN_PAIRS)
    while True:
        picked = rng.sample(range(len(NAMES)), ways)
        if all((min(i, j), max(i, j)) in train for i in picked for j in picked if i < j):
            return cats, [NAMES[i] for i in picked]


def sample_names(rng: random.Random, held_out: bool) -> list[str]:
    i, j = rng.choice(HELD_OUT_PAIRS if held_out else TRAIN_PAIRS)
    pair = [NAMES[i], NAMES[j]]
    rng.shuffle(pair)
    return pair


# ---------------------------------------------------------------------------
# Validation set


def write_json(path: Path, obj, compact: bool = False) -> None:
    text = json.dumps(obj, separators=(",", ":")) if compact else json.dumps(obj, indent=1)
    path.write_text(text + "\n")


def make_val(out: Path, seed: int, n_images: int, n_episodes: int, q_per_image: int) -> None:
    rng = random.Random(seed)
    img_dir = out / "images"
    obj_dir = out / "objects"
    img_dir.mkdir(parents=True, exist_ok=True)
    obj_dir.mkdir(parents=True, exist_ok=True)
    images, anns, qs, qanns, scenes = [], [], [], [], []
    ann_id = 1
    for k in range(1, n_images + 1):
        objs = sample_objects(rng)
        name = f"val_{k:06d}.jpg"
        (img_dir / name).write_bytes(render(objs, rng))
        images.append({"id": k, "file_name": name, "width": SIZE, "height": SIZE})
        for ref in paraphrases(objs):
            anns.append({"id": ann_id, "image_id": k, "caption": ref})
            ann_id += 1
        scenes.append({"image_id": k, "file_name": name, "caption": caption(objs),
                       "objects": [{key: o[key] for key in ("shape", "color", "size")} | {"x": round(o["x"], 1), "y": round(o["y"], 1)} for o in objs]})
        for qi, (q, a, t) in enumerate(questions(objs, rng)[:q_per_image]):
            qid = k * 10 + qi
            qs.append({"image_id": k, "question": q, "question_id": qid})
            qanns.append({"question_id": qid, "image_id": k, "question_type": q.split(" ")[0].lower(),
                          "answer_type": t, "multiple_choice_answer": a,
                          "answers": [{"answer": a, "answer_confidence": "yes", "answer_id": i + 1} for i in range(10)]})
    write_json(out / "captions.json", {"info": {"description": "Glimpse synthetic scenes, validation"},
                                       "images": images, "annotations": anns, "licenses": []}, compact=True)
    write_json(out / "scenes.json", scenes)
    write_json(out / "questions.json", {"task_type": "Open-Ended", "data_type": "synthetic",
                                        "data_subtype": "val", "questions": qs}, compact=True)
    write_json(out / "annotations.json", {"data_type": "synthetic", "data_subtype": "val", "annotations": qanns}, compact=True)

    # Object pool: 12 categories x 8 renderings.
    pool: dict[tuple, list[str]] = {}
    idx = 0
    for c in COLORS:
        for s in SHAPES:
            for _ in range(8):
                idx += 1
                fn = f"obj_{idx:03d}.jpg"
                (obj_dir / fn).write_bytes(render(single_object(rng, c, s), rng))
                pool.setdefault((c, s), []).append("objects/" + fn)

    for split, held_out in (("fastbinding", False), ("fastbinding-novel-pairs", True)):
        eps = []
        for e in range(n_episodes):
            cats = sample_category_pair(rng)
            names = sample_names(rng, held_out)
            imgs = [rng.sample(pool[c], 2) for c in cats]   # support + query differ
            q = rng.randrange(2)
            eps.append({"id": e, "support": [{"image": imgs[i][0], "name": names[i],
                                              "category": " ".join(cats[i])} for i in range(2)],
                        "query": {"image": imgs[q][1], "category": " ".join(cats[q])},
                        "answer": names[q], "candidates": [" " + n for n in names],
                        "prompt": episode_prompt(names)})
        write_json(out / f"{split}.json", eps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("models/val"))
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--images", type=int, default=100)
    ap.add_argument("--episodes", type=int, default=100)
    ap.add_argument("--questions-per-image", type=int, default=3)
    a = ap.parse_args()
    make_val(a.out, a.seed, a.images, a.episodes, a.questions_per_image)


if __name__ == "__main__":
    main()
