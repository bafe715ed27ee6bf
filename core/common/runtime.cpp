#include "core/common/runtime.h"

#include <dlfcn.h>
#include <link.h>

#include <climits>
#include <thread>

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

std::string version() { return P2P_VERSION; }

}  // namespace p2p
