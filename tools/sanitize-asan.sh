#!/usr/bin/env bash
# ASan + UBSan over the whole test suite: configures build-asan with -DP2P_SANITIZE=address (cmake/Sanitizers.cmake),
# builds everything (the bench excepted) and runs ctest. Any sanitizer report fails its test.
#
#   tools/sanitize-asan.sh                 # everything
#   tools/sanitize-asan.sh -R test_trainer # extra arguments go to ctest
#
# Environment: P2P_ASAN_BUILD_DIR (default build-asan), P2P_SANITIZE_JOBS (ninja -j; default: all cores),
#              P2P_SKIP_DEPS=1 (do not run tools/install-deps.sh).
# LibTorch, OpenCV and Qt are Debian's, not instrumented: ASan still sees every allocation they make through
# malloc, and tools/sanitizers/lsan.supp names the leaks that are theirs (one-time global state).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${P2P_ASAN_BUILD_DIR:-$root/build-asan}
[ "${P2P_SKIP_DEPS:-0}" = 1 ] || "$root/tools/install-deps.sh"

start=$(date +%s)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DP2P_SANITIZE=address -DP2P_BUILD_BENCH=OFF >/dev/null
ninja -C "$build" -j "${P2P_SANITIZE_JOBS:-$(nproc)}"
built=$(date +%s)

supp="$root/tools/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:strict_string_checks=1:detect_stack_use_after_return=0:print_summary=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
status=0
ctest --test-dir "$build" --output-on-failure --timeout 1500 "$@" || status=$?
echo "ASan+UBSan: build $(( built - start )) s, tests $(( $(date +%s) - built )) s"
exit $status
