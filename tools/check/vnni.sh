#!/usr/bin/env bash
# Checks the AVX-512 VNNI decode kernels on any x86-64 CPU with AVX2 (CI runs it): SIMDe (libsimde-dev)
# supplies portable versions of the AVX-512 intrinsics. The VNNI path must give the AVX2 path's results bit
# for bit, and both must match the portable dot products.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f /usr/include/simde/x86/avx512.h ] || { echo "vnni check: needs SIMDe (apt-get install libsimde-dev)" >&2; exit 1; }
K=Sources/CKernels
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc=${CC:-clang}  # the Swift toolchain ships one
command -v "$cc" > /dev/null || cc="$(dirname "$(readlink -f "$(command -v swift)")")/clang"
"$cc" -O2 -Wno-psabi -mavx2 -mfma -mf16c -DGK_SIMDE_VNNI -I$K/include -I$K \
    tools/check/vnni_kernels.c $K/dot.c $K/interleaved.c $K/convert.c $K/ops.c -lm -o "$out/check"
for path in vnni avx2; do
    if ! GLIMPSE_KERNELS=$path "$out/check" > "$out/$path.txt"; then
        echo "vnni check: the $path path disagrees with the portable dot products:" >&2
        grep FAIL "$out/$path.txt" | head -10 >&2
        exit 1
    fi
done
head -1 "$out/vnni.txt" | grep -qx "path avx512vnni" || { echo "vnni check: the VNNI path was not taken" >&2; exit 1; }
if ! diff <(tail -n +2 "$out/vnni.txt") <(tail -n +2 "$out/avx2.txt") > "$out/diff.txt"; then
    echo "vnni check: VNNI and AVX2 results differ:" >&2
    head -20 "$out/diff.txt" >&2
    exit 1
fi
echo "vnni check: $(($(wc -l < "$out/vnni.txt") - 1)) results, identical on the VNNI and AVX2 paths"
