# Sourced by run.sh and replay.sh: harness names, binary location and the environment libFuzzer needs.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${FUZZ_BUILD_DIR:-$here/.build}"
harnesses=(gguf safetensors unpickler zip image prompt evaluation)
# Swift's crash backtracer runs as a child that outlives a crashing harness and keeps its output pipe
# open; libFuzzer prints its own stack trace, so it is turned off.
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
binary() { echo "$build/release/fuzz-$1"; }
dict_args() { if [[ -f "$here/dict/$1.dict" ]]; then echo "-dict=$here/dict/$1.dict"; fi; }
