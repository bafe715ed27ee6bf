// libFuzzer target for the reference .pth reader: bytes -> zip -> restricted unpickler -> tensors
// (tools/fuzz/pth_reader_target.h says what is checked). Seeds: tools/fuzz/corpus/pth (small hand-built
// checkpoints and malformed files written by test_reference_pth).

#include "tools/fuzz/pth_reader_target.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    torch::set_num_threads(1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    p2p::fuzz::pthReaderOneInput(data, size);
    return 0;
}
