#pragma once

#include <cstdint>
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

// The process's resident-set high-water mark (VmHWM) in bytes (0 where unknown), and resetting it to the
// current resident set (Linux >= 4.0; false where the kernel refuses): the peak of one operation, such as a
// checkpoint save, measured apart from the peak of what ran before it.
int64_t peakResidentBytes();
bool resetPeakResident();

bool cudaAvailable();
int cudaDeviceCount();  // 0 without CUDA
// Devices are p2p::Device (core/common/device.h).
// The BLAS that libblas.so.3 resolves to (OpenBLAS or netlib); it decides ConvTranspose2d speed on CPU.
std::string activeBlas();
// ATen's vectorised CPU kernels on this machine ("DEFAULT", "AVX2", "AVX512"): other kernels, other rounding.
std::string cpuCapability();

// The bfloat16 instructions this CPU executes and the OS has enabled (cpuid, xgetbv). oneDNN runs bf16
// convolutions fast only with one of them; without, it emulates them more slowly than fp32. The one place
// that decides what precision "auto" picks on a CPU (training and inference).
struct CpuBf16Support {
    bool avx512_bf16 = false;  // AVX512_BF16: bf16 dot products in the vector units
    bool amx_bf16 = false;     // AMX-BF16 tiles (with AMX-TILE and the OS's tile state)
    bool any() const { return avx512_bf16 || amx_bf16; }
    std::string describe() const;  // "AMX", "AVX512_BF16" or "none"
};
CpuBf16Support cpuBf16Support();

std::string version();

}  // namespace p2p
