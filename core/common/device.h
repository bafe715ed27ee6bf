#pragma once

// Where a job computes: a value parsed and checked once ("auto", "cpu", "cuda", "cuda:N"), so that no code
// re-parses device strings. No torch here: ui/ and the CLI's flag parsing use it; core/common/torch_device.h
// turns it into a torch::Device.

#include <string>
#include <string_view>

namespace p2p {

class Device {
public:
    enum class Kind { Auto, Cpu, Cuda };

    Device() = default;  // auto
    static Device automatic() { return {}; }
    static Device cpu() { return Device(Kind::Cpu, -1); }
    static Device cuda(int index = -1) { return Device(Kind::Cuda, index); }  // -1: the current GPU

    // Throws p2p::Error naming the text and what is accepted ("auto, cpu, cuda or cuda:N").
    static Device parse(std::string_view text);
    // The same check as a predicate, for flag validators: an empty string when `text` is a device, else why not.
    static std::string problemWith(std::string_view text);

    Kind kind() const { return kind_; }
    int index() const { return index_; }  // -1 unless "cuda:N"
    bool isAuto() const { return kind_ == Kind::Auto; }
    bool isCpu() const { return kind_ == Kind::Cpu; }
    bool isCuda() const { return kind_ == Kind::Cuda; }

    // "auto" -> cuda when the machine has a GPU, else cpu. Throws p2p::Error when CUDA is asked for and the
    // machine has none, or when cuda:N names a GPU it does not have. `cudaDevices` is passed in so that what
    // a run recorded can be planned against any machine (tests, resume); resolved() asks this one.
    Device resolvedOn(int cudaDevices) const;
    Device resolved() const;

    std::string str() const;  // canonical: "auto", "cpu", "cuda", "cuda:1"
    std::string describe() const;  // for people: "CPU (2 threads)", "CUDA (1 GPU)", "cuda:1 (2 GPUs)"

    friend bool operator==(const Device& a, const Device& b) { return a.kind_ == b.kind_ && a.index_ == b.index_; }
    friend bool operator!=(const Device& a, const Device& b) { return !(a == b); }

private:
    Device(Kind kind, int index) : kind_(kind), index_(index) {}
    Kind kind_ = Kind::Auto;
    int index_ = -1;
};

}  // namespace p2p
