#!/usr/bin/env python3
"""Evaluate a Glimpse model pair on the shipped synthetic validation set (models/val), with Glimpse
itself (greedy): captions (COCO metrics from `glimpse caption-set --annotations` plus exact match
against the canonical captions), VQA accuracy (`glimpse vqa --annotations`), and 2-way fast-binding
accuracy (`glimpse rank` with the two names as candidates), on episodes whose name pairs occur in
training and on the novel-pairs split.

    python3 tools/train/evaluate.py --model models/glimpse-shapes-q8_0.gguf \
        --mmproj models/glimpse-shapes-mmproj-f16.gguf --work /tmp/eval-q8
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def run(cmd: list[str]) -> str:
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    return p.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--glimpse", default=".build/release/glimpse")
    ap.add_argument("--model", required=True)
    ap.add_argument("--mmproj", required=True)
    ap.add_argument("--val", type=Path, default=Path("models/val"))
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--threads", default="2")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    g, common = a.glimpse, ["-m", a.model, "--mmproj", a.mmproj, "--threads", a.threads]
    report = {}

    out = a.work / "captions.json"
    for p in a.work.glob("captions.*"):
        p.unlink()
    run([g, "caption-set", *common, "--images", str(a.val / "images"),
         "--annotations", str(a.val / "captions.json"), "--out", str(out)])
    report["caption_metrics"] = json.loads((a.work / "captions.metrics.json").read_text())
    canon = {s["image_id"]: s["caption"] for s in json.loads((a.val / "scenes.json").read_text())}
    res = json.loads(out.read_text())
    exact = sum(r["caption"].strip().rstrip(".").strip() == canon[r["image_id"]] for r in res)
    report["caption_exact_match"] = exact / len(canon)

    out = a.work / "vqa.json"
    for p in a.work.glob("vqa.*"):
        p.unlink()
    run([g, "vqa", *common, "--images", str(a.val / "images"), "--questions", str(a.val / "questions.json"),
         "--annotations", str(a.val / "annotations.json"), "--out", str(out)])
    report["vqa_metrics"] = json.loads((a.work / "vqa.metrics.json").read_text())

    for split in ("fastbinding", "fastbinding-novel-pairs"):
        eps = json.loads((a.val / f"{split}.json").read_text())
        right = 0
        for ep in eps:
            cand = a.work / "cand.json"
            cand.write_text(json.dumps(ep["candidates"]))
            imgs = [str(a.val / s["image"]) for s in ep["support"]] + [str(a.val / ep["query"]["image"])]
            r = json.loads(run([g, "rank", *common, "-p", ep["prompt"], "--candidates", str(cand),
                                *sum((["--image", i] for i in imgs), [])]))
            right += r["ranking"][0]["candidate"].strip() == ep["answer"]
        report[split + "_accuracy"] = right / len(eps)
    print(json.dumps(report, indent=1))
    (a.work / "report.json").write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
