#!/usr/bin/env bash
# Checks the NEON kernels on any machine: cross-compiles the C kernels for AArch64 and runs the NEON row dot
# products against the portable ones under qemu-aarch64. Needs gcc-aarch64-linux-gnu, libc6-dev-arm64-cross
# and qemu-user (Debian). Also checks that the Swift toolchain's clang compiles the kernels for AArch64
# without warnings, as SwiftPM would there.
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in aarch64-linux-gnu-gcc qemu-aarch64; do
    command -v "$tool" > /dev/null || {
        echo "neon check: needs $tool (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)" >&2
        exit 1
    }
done
K=Sources/CKernels
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc=${CC:-clang}
command -v "$cc" > /dev/null || cc="$(dirname "$(readlink -f "$(command -v swift)")")/clang"
"$cc" --target=aarch64-linux-gnu --sysroot=/usr/aarch64-linux-gnu -isystem /usr/aarch64-linux-gnu/include \
    -O2 -Wall -Wextra -Werror -fsyntax-only -I$K/include -I$K $K/*.c
aarch64-linux-gnu-gcc -O2 -static -I$K/include -I$K tools/check/neon_kernels.c $K/*.c -lm -lpthread -o "$out/check"
if ! qemu-aarch64 "$out/check" > "$out/neon.txt"; then
    echo "neon check: the NEON path disagrees with the portable dot products:" >&2
    grep FAIL "$out/neon.txt" | head -10 >&2
    exit 1
fi
head -1 "$out/neon.txt" | grep -qx "path neon" || { echo "neon check: the NEON path was not taken" >&2; exit 1; }
echo "neon check: $(tail -1 "$out/neon.txt")"
