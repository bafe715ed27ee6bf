#pragma once

// A state dict written the way Python's torch.save writes one (a zip holding a protocol-2 data.pkl of an
// OrderedDict of torch._utils._rebuild_tensor_v2 calls, and one entry per storage), for tests that need
// reference-style .pth files with chosen contents (wrong dtypes, NaN, other architectures).
// torch::pickle_save is no substitute: it writes TorchScript's typed pickles, which the .pth reader refuses.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/io/state_dict.h"
#include "tests/core/data/crafted_files.h"

namespace p2p::test {

namespace torch_save_detail {

inline std::string le(uint64_t value, int bytes) {
    std::string s;
    for (int i = 0; i < bytes; ++i) s += char((value >> (8 * i)) & 0xFF);
    return s;
}

inline std::string unicode(const std::string& s) {
    return "X" + le(s.size(), 4) + s;
}

inline std::string integer(int64_t v) {
    return "\x8a\x08" + le(uint64_t(v), 8);  // LONG1, 8 bytes
}

inline std::string storageName(torch::Dtype dtype) {
    if (dtype == torch::kFloat16) return "HalfStorage";
    if (dtype == torch::kBFloat16) return "BFloat16Storage";
    if (dtype == torch::kFloat64) return "DoubleStorage";
    if (dtype == torch::kInt64) return "LongStorage";
    if (dtype == torch::kInt32) return "IntStorage";
    return "FloatStorage";
}

inline std::string zip(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out, central;
    for (const auto& [name, data] : entries) {
        const uint64_t offset = out.size();
        const uint32_t crc = crc32(reinterpret_cast<const uint8_t*>(data.data()), data.size());
        out += le(0x04034b50, 4) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) +
               le(data.size(), 4) + le(data.size(), 4) + le(name.size(), 2) + le(0, 2) + name + data;
        central += le(0x02014b50, 4) + le(20, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) +
                   le(data.size(), 4) + le(data.size(), 4) + le(name.size(), 2) + le(0, 2) + le(0, 2) +
                   le(0, 2) + le(0, 2) + le(0, 4) + le(offset, 4) + name;
    }
    const uint64_t centralOffset = out.size();
    out += central;
    out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(entries.size(), 2) + le(entries.size(), 2) +
           le(central.size(), 4) + le(centralOffset, 4) + le(0, 2);
    return out;
}

}  // namespace torch_save_detail

// The bytes of `torch.save(state_dict, path)` for this state dict (each tensor its own contiguous storage).
inline std::string torchSaveBytes(const StateDict& dict, const std::string& archive = "archive") {
    using namespace torch_save_detail;
    std::string pickle = "\x80\x02";
    pickle += "ccollections\nOrderedDict\n)R(";
    std::vector<std::pair<std::string, std::string>> entries;
    for (size_t i = 0; i < dict.size(); ++i) {
        const torch::Tensor t = dict[i].second.detach().contiguous().cpu();
        const std::string key = std::to_string(i);
        pickle += unicode(dict[i].first);
        pickle += "ctorch._utils\n_rebuild_tensor_v2\n(";
        pickle += "(" + unicode("storage") + "ctorch\n" + storageName(t.scalar_type()) + "\n" + unicode(key) +
                  unicode("cpu") + integer(t.numel()) + "tQ";
        pickle += integer(0);
        pickle += "(";
        for (int64_t s : t.sizes()) pickle += integer(s);
        pickle += "t(";
        for (int64_t s : t.strides()) pickle += integer(s);
        pickle += "t\x89";
        pickle += "ccollections\nOrderedDict\n)R";
        pickle += "tR";
        entries.emplace_back(archive + "/data/" + key, std::string(static_cast<const char*>(t.data_ptr()),
                                                                   size_t(t.numel() * t.element_size())));
    }
    pickle += "u.";
    entries.insert(entries.begin(), {{archive + "/data.pkl", pickle}, {archive + "/byteorder", "little"}});
    entries.emplace_back(archive + "/version", "3\n");
    return zip(entries);
}

}  // namespace p2p::test
