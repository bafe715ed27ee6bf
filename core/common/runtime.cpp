#include "core/common/runtime.h"

#include <dlfcn.h>
#include <link.h>

#include <climits>
#include <fstream>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <ATen/Version.h>
#include <torch/torch.h>

#include "core/common/error.h"

namespace p2p {

int hardwareThreads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

void configureThreads(int threads) {
    if (threads <= 0) threads = hardwareThreads();
    if (at::get_num_threads() != threads) at::set_num_threads(threads);
}

int intraOpThreads() { return at::get_num_threads(); }

void keepFreedMemoryForReuse() {
#ifdef __GLIBC__
    static const bool done = [] {
        mallopt(M_MMAP_MAX, 0);              // large blocks from the heap, not fresh mappings
        mallopt(M_TRIM_THRESHOLD, INT_MAX);  // nor handed back at the heap's top
        return true;
    }();
    (void)done;
#endif
}

int64_t peakResidentBytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // "VmHWM:   1234 kB"
    return 0;
}

bool resetPeakResident() {
    std::ofstream clearRefs("/proc/self/clear_refs");
    clearRefs << "5";  // resets the peak RSS (Documentation/filesystems/proc.rst)
    clearRefs.close();
    return static_cast<bool>(clearRefs);
}

bool cudaAvailable() { return torch::cuda::is_available(); }

int cudaDeviceCount() { return cudaAvailable() ? static_cast<int>(torch::cuda::device_count()) : 0; }

std::string activeBlas() {
    void* handle = dlopen("libblas.so.3", RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) handle = dlopen("libblas.so.3", RTLD_LAZY);
    if (!handle) return "unknown";
    std::string name = "netlib reference";
    if (dlsym(handle, "openblas_get_config")) {
        using ConfigFn = char* (*)();
        auto config = reinterpret_cast<ConfigFn>(dlsym(handle, "openblas_get_config"));
        name = std::string("OpenBLAS ") + (config ? config() : "");
    }
    link_map* map = nullptr;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name) name += " [" + std::string(map->l_name) + "]";
    dlclose(handle);
    return name;
}

std::string cpuCapability() {
    // LibTorch 1.13 does not export at::native::get_cpu_capability(); its build summary names the choice.
    static const std::string capability = [] {
        const std::string config = at::show_config();
        const std::string key = "CPU capability usage: ";
        const auto found = config.find(key);
        if (found == std::string::npos) return std::string("unknown");
        const auto begin = found + key.size();
        return config.substr(begin, config.find('\n', begin) - begin);
    }();
    return capability;
}

namespace {

#if defined(__x86_64__) || defined(__i386__)
// The register state the OS saves on context switches (XCR0); instructions on state it does not save fault.
uint64_t enabledXsaveState() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE)) return 0;
    uint32_t low = 0, high = 0;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (uint64_t(high) << 32) | low;
}
#endif

}  // namespace

std::string CpuBf16Support::describe() const {
    if (amx_bf16) return "AMX";
    if (avx512_bf16) return "AVX512_BF16";
    return "none";
}

CpuBf16Support cpuBf16Support() {
    static const CpuBf16Support support = [] {
        CpuBf16Support s;
#if defined(__x86_64__) || defined(__i386__)
        const uint64_t xcr0 = enabledXsaveState();
        const bool avx512State = (xcr0 & 0xE6) == 0xE6;  // SSE, AVX, opmask and both ZMM halves
        const bool tileState = (xcr0 & (3u << 17)) == (3u << 17);  // XTILECFG and XTILEDATA
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
            s.avx512_bf16 = avx512State && ((eax >> 5) & 1u);  // CPUID.(7,1):EAX[5]
        if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
            s.amx_bf16 = tileState && ((edx >> 22) & 1u) && ((edx >> 24) & 1u);  // CPUID.(7,0):EDX[22, 24]
#endif
        return s;
    }();
    return support;
}

std::string version() { return P2P_VERSION; }

}  // namespace p2p
