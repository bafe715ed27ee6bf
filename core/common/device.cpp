#include "core/common/device.h"

#include <charconv>

#include "core/common/error.h"
#include "core/common/runtime.h"

namespace p2p {

std::string Device::problemWith(std::string_view text) {
    if (text == "auto" || text == "cpu" || text == "cuda" || text.empty()) return {};
    if (text.substr(0, 5) == "cuda:") {
        const auto digits = text.substr(5);
        int index = -1;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size() && index >= 0) return {};
        return "'" + std::string(text) + "' names no GPU: after cuda: comes a GPU number, as in cuda:0";
    }
    if (text == "gpu" || text == "GPU" || text == "CUDA" || text == "CPU")
        return "unknown device '" + std::string(text) + "' (write it in lower case: auto, cpu, cuda or cuda:N)";
    return "unknown device '" + std::string(text) + "' (expected auto, cpu, cuda or cuda:N)";
}

Device Device::parse(std::string_view text) {
    if (auto why = problemWith(text); !why.empty()) throw Error(why);
    if (text == "cpu") return cpu();
    if (text == "cuda") return cuda();
    if (text.substr(0, 5) == "cuda:") {
        int index = 0;
        std::from_chars(text.data() + 5, text.data() + text.size(), index);
        return cuda(index);
    }
    return automatic();
}

Device Device::resolvedOn(int cudaDevices) const {
    switch (kind_) {
        case Kind::Auto: return cudaDevices > 0 ? cuda() : cpu();
        case Kind::Cpu: return *this;
        case Kind::Cuda:
            if (cudaDevices <= 0)
                throw Error("device '" + str() +
                            "' was requested, but this build of LibTorch or this machine has no CUDA GPU (use cpu or auto)");
            if (index_ >= cudaDevices)
                throw Error("device '" + str() + "' was requested, but this machine has " + std::to_string(cudaDevices) +
                            " GPU(s): cuda:0" + (cudaDevices > 1 ? " to cuda:" + std::to_string(cudaDevices - 1) : "") +
                            " exist");
            return *this;
    }
    return *this;
}

Device Device::resolved() const { return resolvedOn(cudaDeviceCount()); }

std::string Device::str() const {
    switch (kind_) {
        case Kind::Auto: return "auto";
        case Kind::Cpu: return "cpu";
        case Kind::Cuda: return index_ < 0 ? "cuda" : "cuda:" + std::to_string(index_);
    }
    return "auto";
}

std::string Device::describe() const {
    if (isCpu()) return "CPU (" + std::to_string(intraOpThreads()) + " threads)";
    if (isCuda()) {
        const int n = cudaDeviceCount();
        return (index_ < 0 ? std::string("CUDA") : str()) + " (" + std::to_string(n) + " GPU" + (n == 1 ? "" : "s") + ")";
    }
    return "auto";
}

}  // namespace p2p
