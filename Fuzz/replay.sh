#!/usr/bin/env bash
# Runs every committed seed (and any file or directory given after --) once through each harness,
# or through those named: `Fuzz/replay.sh`, `Fuzz/replay.sh zip gguf`. Exits non-zero on a crash.
set -euo pipefail
source "$(dirname "$0")/harnesses.sh"
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${harnesses[@]}")
status=0
for name in "${names[@]}"; do
    printf '%-12s ' "$name"
    log="$(mktemp)"
    # -runs=0 on a directory executes each file once (no mutation).
    if "$(binary "$name")" -runs=0 -timeout=30 -rss_limit_mb=2048 "$here/corpus/$name" >"$log" 2>&1; then
        grep -o 'INITED.*' "$log" | head -1 || echo ok
    else
        echo "FAILED (log: $log)"
        status=1
        continue
    fi
    rm -f "$log"
done
exit $status
