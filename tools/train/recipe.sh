#!/usr/bin/env bash
# The shipped model's training recipe, end to end: four train_limber.py stages, then `glimpse convert`.
#   tools/train/recipe.sh WORK [PYTHON]
# WORK receives one folder per stage (s1..s4, each with its log s1.log..s4.log) and the converted files
# (WORK/gguf); PYTHON is an interpreter with torch, transformers, tokenizers, clip-anytorch and pillow
# (default: python3). GLIMPSE overrides the converter command (default: swift run -c release glimpse).
# 33-38 minutes on 2 CPU cores (models/README.md).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 WORK [PYTHON]" >&2
  exit 2
fi
mkdir -p "$1"
W=$(cd "$1" && pwd)
PY=${2:-python3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T="$ROOT/tools/train/train_limber.py"
stage() {   # stage NAME ARGS...: runs one stage, logging to WORK/NAME.log, and prints its time
  local name=$1; shift
  local t0=$SECONDS
  "$PY" "$T" --out "$W/$name" "$@" > "$W/$name.log" 2>&1 || { echo "stage $name failed: see $W/$name.log" >&2; exit 1; }
  echo "$name: $((SECONDS - t0)) s; $(grep '^val ' "$W/$name.log" | tail -1)"
}
E="--episode-ways 3 --same-image 0.25 --scenes 8000 --objects 2400 --aux 1.0 --batch 32 --episode-queries 3"
# 1. Encoder and projection (with a first language model), helped by the auxiliary count head.
stage s1 --steps 1500 --batch 32 --lr 1.5e-3 --aux 1.0 --scenes 6000 --objects 2400 --mix 0.4 0.3 0.3 --skip-eval
# 2. A fresh GPT-J on repeated random token sequences only, until induction heads form.
stage s2 --init "$W/s1" --fresh-lm --steps 500 --lr 1e-3 --mix 0 0 0 0 1 --scenes 200 --objects 200 --skip-eval
# 3. Everything on the full mixture, with the two binding losses.
stage s3 --init "$W/s2" --steps 1500 --lr 1.2e-3 --relay 1.0 --match 1.0 --mix 0.25 0.35 0.2 0.05 0.15 \
  --data-seed 2050 $E
# 4. Towards captions and VQA, binding losses kept; the best evaluated state is exported.
stage s4 --init "$W/s3" --steps 800 --lr 4e-4 --relay 1.0 --match 1.0 --mix 0.25 0.5 0.15 0.05 0.05 \
  --data-seed 2051 --eval-every 400 --keep-best $E
echo "trained in $SECONDS s"
# 5. The shipped files, converted the way users convert real checkpoints.
SRC="$W/s4/best"
mkdir -p "$W/gguf"
cd "$ROOT"
G=${GLIMPSE:-"swift run -c release glimpse"}
$G convert lm --from "$SRC/hf" --out "$W/gguf/glimpse-shapes-q8_0.gguf" --type q8_0
$G convert lm --from "$SRC/hf" --out "$W/gguf/glimpse-shapes-f32.gguf" --type f32
$G convert vision --clip "$SRC/clip-visual.pt" --projection "$SRC/proj.ckpt" \
  --out "$W/gguf/glimpse-shapes-mmproj-f16.gguf" --type f16
