#!/usr/bin/env bash
# Builds every libFuzzer harness (or those named) with -sanitize=fuzzer,address, release mode.
#   Fuzz/build.sh [harness...]      e.g. Fuzz/build.sh gguf zip
# Binaries: $FUZZ_BUILD_DIR/release/fuzz-<harness> (FUZZ_BUILD_DIR defaults to Fuzz/.build).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${FUZZ_BUILD_DIR:-$here/.build}"
# Every target, the root package's included, gets coverage and ASan. `--sanitize` alone is not enough:
# SwiftPM passes it to swiftc as `-sanitize=fuzzer -sanitize=address`, and swiftc keeps only the last
# flag, so Swift code would get no coverage at all; the combined -Xswiftc flag comes after and wins.
# clang accumulates its -fsanitize flags, so C targets are fine with --sanitize. The gold linker warns
# "Cannot export local symbol '__asan_check_...'" once per symbol: harmless, filtered.
build_one() {
    swift build --package-path "$here" --scratch-path "$build" -c release \
        --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address "$@" 2>&1 \
        | { grep -v "Cannot export local symbol" || true; }
    return "${PIPESTATUS[0]}"
}
if [[ $# -eq 0 ]]; then
    build_one
else
    # `swift build` honours only the last --product, so one call per harness.
    for h in "$@"; do build_one --product "fuzz-$h"; done
fi
