#!/usr/bin/env bash
# Builds every libFuzzer target (tools/fuzz/fuzz_*.cpp, registered in tools/fuzz/CMakeLists.txt) with clang
# and runs each for SECONDS (default 60), one after the other.
#
#   tools/fuzz/run-fuzzers.sh 120
#
# Seeds for fuzz_<name> come from tools/fuzz/corpus/<name>/, or else tools/fuzz/corpus/<first word of name>/
# (fuzz_pth_reader -> corpus/pth). A dictionary tools/fuzz/<first word>.dict is used when present.
# New inputs go to $BUILD/fuzz-corpus/<target>/; crashes to $BUILD/fuzz-artifacts/<target>/.
# Exits non-zero when any fuzzer found a crash, a leak or a timeout.
# Environment: P2P_FUZZ_BUILD_DIR (default build-fuzz), P2P_FUZZ_JOBS (ninja -j, default 2),
#              P2P_FUZZ_ARGS (extra libFuzzer flags), P2P_SKIP_DEPS=1 (do not run tools/install-deps.sh fuzz).
# A crash found here: minimise it (fuzz_X -minimize_crash=1 -runs=10000 CRASH), fix it, and commit it as
# tools/fuzz/corpus/<name>/crash-<what>: test_fuzz_regressions replays it in every ordinary test run.
set -euo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${P2P_FUZZ_BUILD_DIR:-$root/build-fuzz}
[ "${P2P_SKIP_DEPS:-0}" = 1 ] || "$root/tools/install-deps.sh" fuzz

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DP2P_BUILD_FUZZERS=ON -DP2P_BUILD_STUDIO=OFF -DP2P_BUILD_BENCH=OFF -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j "${P2P_FUZZ_JOBS:-2}" fuzzers

mapfile -t fuzzers < <(find "$build/tools/fuzz" -maxdepth 1 -type f -executable -name 'fuzz_*' | sort)
if [ ${#fuzzers[@]} -eq 0 ]; then
  echo "no fuzz_* targets were built" >&2
  exit 1
fi

failed=()
for exe in "${fuzzers[@]}"; do
  target=$(basename "$exe")
  name=${target#fuzz_}
  seeds="$root/tools/fuzz/corpus/$name"
  [ -d "$seeds" ] || seeds="$root/tools/fuzz/corpus/${name%%_*}"
  dict="$root/tools/fuzz/${name%%_*}.dict"
  work="$build/fuzz-corpus/$target"
  artifacts="$build/fuzz-artifacts/$target"
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  [ -f "$dict" ] && args+=(-dict="$dict")
  corpora=("$work")
  [ -d "$seeds" ] && corpora+=("$seeds")
  echo "=== $target: ${seconds}s, seeds ${seeds#$root/}"
  set +e
  # shellcheck disable=SC2086
  "$exe" "${args[@]}" ${P2P_FUZZ_ARGS:-} "${corpora[@]}" 2>&1 | tee "$build/$target.log" |
    grep -E '^(#[0-9]+ +DONE|==[0-9]+==ERROR|SUMMARY|stat::|Done |INFO: Seed)'
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ] || ls "$artifacts"/* >/dev/null 2>&1; then
    echo "!!! $target failed: see $build/$target.log and $artifacts/" >&2
    failed+=("$target")
  else
    echo "--- $target: no crash in ${seconds}s"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzers with findings: ${failed[*]}" >&2
  exit 1
fi
echo "all ${#fuzzers[@]} fuzzer(s) ran ${seconds}s without findings"
