#!/usr/bin/env bash
# TSan over the threaded tests: configures build-tsan with -DP2P_SANITIZE=thread (cmake/Sanitizers.cmake),
# builds only those tests (and what they link) and runs them. Any data race report fails its test.
#   test_prefetcher      background decoding threads of the training loader
#   test_thread_inbox    the GUI<->worker hand-off every controller uses (posted functions, signal copies)
#   test_trainer         pause / resume / stop from another thread while run() trains
#   test_ui_preview      PreviewController + PreviewWorker on its QThread (newest request wins)
#   test_training_panel  TrainingController + TrainingWorker on its QThread, the panel's dataset scanner
#
#   tools/sanitize-tsan.sh [extra ctest arguments]
#
# Environment: P2P_TSAN_BUILD_DIR (default build-tsan), P2P_SANITIZE_JOBS (ninja -j; default: all cores),
#              P2P_SKIP_DEPS=1 (do not run tools/install-deps.sh).
# LibTorch (with its OpenMP pool), OpenCV and Qt are not instrumented, so TSan cannot see the synchronisation
# inside them; tools/sanitizers/tsan.supp lists what that hides, each entry with its reason. Our code has
# no entry there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${P2P_TSAN_BUILD_DIR:-$root/build-tsan}
[ "${P2P_SKIP_DEPS:-0}" = 1 ] || "$root/tools/install-deps.sh"
tests=(test_prefetcher test_trainer test_thread_inbox test_ui_preview test_training_panel)

start=$(date +%s)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DP2P_SANITIZE=thread -DP2P_BUILD_BENCH=OFF >/dev/null
ninja -C "$build" -j "${P2P_SANITIZE_JOBS:-$(nproc)}" pix2pix "${tests[@]}"
built=$(date +%s)

export TSAN_OPTIONS="suppressions=$root/tools/sanitizers/tsan.supp:ignore_noninstrumented_modules=1:second_deadlock_stack=1:history_size=4:halt_on_error=0:report_signal_unsafe=0${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
# One compute thread in LibTorch and OpenCV: their pools are outside TSan's view.
export OMP_NUM_THREADS=1 OPENCV_FOR_THREADS_NUM=1
regex="^($(IFS='|'; echo "${tests[*]}"))\$"
status=0
ctest --test-dir "$build" --output-on-failure --timeout 1500 -R "$regex" "$@" || status=$?
echo "TSan: build $(( built - start )) s, tests $(( $(date +%s) - built )) s"
exit $status
