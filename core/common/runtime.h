#pragma once

#include <string>

namespace p2p {

// LibTorch's intra-op thread pool is per process in OpenMP builds but Debian's starts at 1 thread, and
// threads other than the first may need their own call: every worker calls this when it starts.
// threads <= 0 means one per hardware core.
void configureThreads(int threads = 0);
int intraOpThreads();

bool cudaAvailable();
// "cuda" when available, else "cpu"; "auto" resolves the same way. Throws p2p::Error for anything else.
std::string resolveDevice(const std::string& requested);
// Human-readable device, e.g. "CPU (2 threads)" or "CUDA: NVIDIA H100".
std::string describeDevice(const std::string& device);
// The BLAS that libblas.so.3 resolves to (OpenBLAS or netlib); it decides ConvTranspose2d speed on CPU.
std::string activeBlas();

std::string version();

}  // namespace p2p
