// libFuzzer target for the dataset image path: what the dataset scan, the training loader and the studio's
// open action do with one file of untrusted bytes (tools/fuzz/image_loader_target.h says what is checked).
// Seeds: tools/fuzz/corpus/image (tools/fuzz/make_image_seeds.cpp wrote them).

#include <unistd.h>

#include "tools/fuzz/image_loader_target.h"

namespace {
std::string gScratch;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    torch::set_num_threads(1);
    cv::setNumThreads(0);
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    gScratch = std::string(dir) + "/p2p-fuzz-image-" + std::to_string(getpid()) + ".img";
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    p2p::fuzz::imageLoaderOneInput(data, size, gScratch);
    return 0;
}
