#include "core/export/torch_save.h"

#include <utility>
#include <vector>

#include "core/common/error.h"
#include "core/io/zip_reader.h"

namespace p2p {

namespace {

std::string le(uint64_t value, int bytes) {
    std::string s;
    for (int i = 0; i < bytes; ++i) s += char((value >> (8 * i)) & 0xFF);
    return s;
}

std::string unicode(const std::string& s) { return "X" + le(s.size(), 4) + s; }  // BINUNICODE

std::string integer(int64_t v) { return "\x8a\x08" + le(uint64_t(v), 8); }  // LONG1, 8 bytes

std::string storageName(torch::Dtype dtype) {
    if (dtype == torch::kFloat16) return "HalfStorage";
    if (dtype == torch::kBFloat16) return "BFloat16Storage";
    if (dtype == torch::kFloat64) return "DoubleStorage";
    if (dtype == torch::kInt64) return "LongStorage";
    if (dtype == torch::kInt32) return "IntStorage";
    if (dtype == torch::kFloat32) return "FloatStorage";
    throw Error(std::string("cannot write a tensor of type ") + c10::toString(dtype) + " in the .pth format");
}

// A stored (uncompressed) zip; each entry's data starts on a 64-byte boundary (padding in the local header's
// extra field), as PyTorch's writer does, so readers may map storages directly.
std::string zip(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out, central;
    for (const auto& [name, data] : entries) {
        if (data.size() >= 0xFFFFFFFFull || out.size() >= 0xFFFFFFFFull)
            throw Error("the state dict is too large for a zip without ZIP64 (4 GB)");
        const uint64_t offset = out.size();
        const uint32_t crc = crc32(data.data(), data.size());
        const size_t headerEnd = offset + 30 + name.size() + 4;  // with an extra field header of 4 bytes
        const size_t padding = (64 - headerEnd % 64) % 64;
        const std::string extra = le(0x4646, 2) + le(padding, 2) + std::string(padding, 'Z');  // "FF": PyTorch's id
        out += le(0x04034b50, 4) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) + le(data.size(), 4) +
               le(data.size(), 4) + le(name.size(), 2) + le(extra.size(), 2) + name + extra + data;
        central += le(0x02014b50, 4) + le(20, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) +
                   le(data.size(), 4) + le(data.size(), 4) + le(name.size(), 2) + le(0, 2) + le(0, 2) + le(0, 2) +
                   le(0, 2) + le(0, 4) + le(offset, 4) + name;
    }
    const uint64_t centralOffset = out.size();
    out += central;
    out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(entries.size(), 2) + le(entries.size(), 2) +
           le(central.size(), 4) + le(centralOffset, 4) + le(0, 2);
    return out;
}

void appendModule(const std::string& prefix, const torch::nn::Module& module, StateDict& out) {
    for (const auto& item : module.named_parameters(/*recurse=*/false))
        out.emplace_back(prefix + item.key(), item.value());
    for (const auto& item : module.named_buffers(/*recurse=*/false))
        out.emplace_back(prefix + item.key(), item.value());
    for (const auto& child : module.named_children()) appendModule(prefix + child.key() + ".", *child.value(), out);
}

}  // namespace

StateDict stateDictInModuleOrder(const torch::nn::Module& module) {
    StateDict dict;
    appendModule("", module, dict);
    return dict;
}

std::string torchSaveBytes(const StateDict& dict, const std::string& archive) {
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

}  // namespace p2p
