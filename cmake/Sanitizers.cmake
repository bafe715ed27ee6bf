# Sanitizer builds (docs/RELIABILITY.md; scripts: tools/sanitize-asan.sh, tools/sanitize-tsan.sh).
#   -DP2P_SANITIZE=address   ASan + UBSan (+ libstdc++ assertions), for the whole test suite
#   -DP2P_SANITIZE=thread    TSan, for the threaded tests
# Every target of the project is instrumented; LibTorch, OpenCV and Qt are not (Debian's builds). Runtime
# options and the suppressions for those libraries' internals are in tools/sanitizers/.
# Sanitizer builds compile at -O1 with line tables (-g1): readable stacks, and much cheaper to compile than
# -O3 -g with LibTorch's headers. The last -O wins, so this overrides CMAKE_BUILD_TYPE's level.
if(P2P_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
                      -O1 -g1 -D_GLIBCXX_ASSERTIONS)
  add_link_options(-fsanitize=address,undefined)
elseif(P2P_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -O1 -g1)
  add_link_options(-fsanitize=thread)
elseif(NOT P2P_SANITIZE STREQUAL "")
  message(FATAL_ERROR "P2P_SANITIZE must be '', 'address' or 'thread', not '${P2P_SANITIZE}'")
endif()
