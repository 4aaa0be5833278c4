#!/bin/bash
# Glimpse against ggml's own GPT-J example on the same weights, runs interleaved, 2 threads.
#
#   tools/bench/ggml_side_by_side.sh GGML_DIR MODEL_DIR [reps] [types]      types default: "q4_0 q8_0"
#
# GGML_DIR: a ggml source tree (e.g. vendor/ggml of the ggml-python sdist on PyPI) with
#   tools/bench/ggml-gptj-split-timing.patch applied (it prints prompt and decode times apart) and two
#   builds: build/ (default kernels) and build-lf/ (-DGGML_LLAMAFILE=ON), each `--target gpt-j`.
# MODEL_DIR: gptj6b-TYPE.gguf from `glimpse synth` and gptj6b-TYPE.ggml from gguf_to_ggml_gptj.py. Glimpse's
#   q4_0x8 runs against ggml's q4_0 file: synth gives both the same blocks, and ggml has no interleaved type.
# Needs root for dropping the page cache before each type.
set -euo pipefail
ggml=$1 models=$2 reps=${3:-3} types=${4:-q4_0 q8_0}
here=$(cd "$(dirname "$0")" && pwd)
glimpse=$here/../../.build/release/glimpse
prompt=$(mktemp)
trap 'rm -f "$prompt"' EXIT
# 151 tokens for ggml's tokenizer; glimpse bench's default prompt is 152 (144 soft + 8 text).
python3 -c "print('The quick brown fox jumps over the lazy dog while the children play in the garden behind the old house. ' * 7 + 'Once upon a time')" > "$prompt"
for t in $types; do
  g=${t%x8}  # ggml's file type
  [ -f "$models/gptj6b-$t.gguf" ] && [ -f "$models/gptj6b-$g.ggml" ] || { echo "skip $t: no files in $models"; continue; }
  sync; echo 3 > /proc/sys/vm/drop_caches
  for rep in $(seq "$reps"); do
    for b in build build-lf; do
      echo "== $g ggml $b rep $rep"
      "$ggml/$b/bin/gpt-j" -m "$models/gptj6b-$g.ggml" -t 2 -b 256 -n 65 --ignore-eos -f "$prompt" --seed 1 2>&1 |
        grep -E "tokens in prompt|load time|prompt .* decode"
    done
    echo "== $t glimpse rep $rep"
    "$glimpse" bench -m "$models/gptj6b-$t.gguf" --reps 1 --gen 64 --threads 2 | grep -E "load|prompt|generate|bandwidth"
  done
done
