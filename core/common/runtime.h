#pragma once

#include <string>

namespace p2p {

// LibTorch's intra-op thread pool is per process in OpenMP builds but Debian's starts at 1 thread, and
// threads other than the first may need their own call: every worker calls this when it starts.
// threads <= 0 means one per hardware core.
void configureThreads(int threads = 0);
int intraOpThreads();
int hardwareThreads();  // what configureThreads(0) uses: the cores the OS offers (at least 1)

// Training allocates and frees the same large tensors every step (a U-Net-256's inner weight gradients are
// 33 MB). glibc serves blocks that large with mmap and returns them to the kernel when freed, so every step
// page-faults them in again: measured here, 2.19 s of a 0.93 s step. This keeps freed memory in the process
// for reuse (glibc only; process-wide; idempotent). The cost is that the heap does not shrink after a run.
void keepFreedMemoryForReuse();

bool cudaAvailable();
int cudaDeviceCount();  // 0 without CUDA
// Devices are p2p::Device (core/common/device.h).
// The BLAS that libblas.so.3 resolves to (OpenBLAS or netlib); it decides ConvTranspose2d speed on CPU.
std::string activeBlas();
// ATen's vectorised CPU kernels on this machine ("DEFAULT", "AVX2", "AVX512"): other kernels, other rounding.
std::string cpuCapability();

std::string version();

}  // namespace p2p
