#!/usr/bin/env bash
# Fuzzes one harness for a while (default 120 s), e.g. `Fuzz/run.sh zip 600`; extra arguments go to
# libFuzzer. New inputs go to $FUZZ_WORK_DIR/corpus/<harness> (default Fuzz/.work), crashes to
# $FUZZ_WORK_DIR/artifacts/<harness>/; the committed seeds in Fuzz/corpus/<harness> are only read.
set -euo pipefail
source "$(dirname "$0")/harnesses.sh"
name="${1:?usage: run.sh <harness> [seconds] [libFuzzer options...]}"
seconds="${2:-120}"
shift; shift || true
work="${FUZZ_WORK_DIR:-$here/.work}"
mkdir -p "$work/corpus/$name" "$work/artifacts/$name"
# -timeout: one input taking 30 s is a bug here (decoders and parsers are linear in the input).
exec "$(binary "$name")" "$work/corpus/$name" "$here/corpus/$name" $(dict_args "$name") \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/$name/" "$@"
