#include "core/io/pickle_state_dict.h"

#include <cstring>
#include <fstream>
#include <map>

#include "core/common/error.h"
#include "core/io/pickle_reader.h"
#include "core/io/zip_reader.h"

namespace p2p {

namespace {

// A state dict's data.pkl is ~100 bytes per tensor.
constexpr uint64_t kMaxPickleSize = uint64_t(64) << 20;

struct Layout {
    std::string prefix;  // "<archive>" of <archive>/data.pkl; empty when there is none
    const ZipEntry* pickle = nullptr;
    bool torchscript = false;  // code/ or constants.pkl: a TorchScript module (e.g. our .p2pm)
};

Layout layoutOf(const ZipArchive& zip) {
    Layout layout;
    for (const auto& entry : zip.entries()) {
        const size_t slash = entry.name.find('/');
        if (slash == std::string::npos) continue;
        const std::string_view rest = std::string_view(entry.name).substr(slash + 1);
        if (rest == "data.pkl" && !layout.pickle) {
            layout.pickle = &entry;
            layout.prefix = entry.name.substr(0, slash);
        }
    }
    if (!layout.pickle) return layout;
    for (const auto& entry : zip.entries()) {
        if (entry.name.compare(0, layout.prefix.size() + 1, layout.prefix + "/") != 0) continue;
        const std::string_view rest = std::string_view(entry.name).substr(layout.prefix.size() + 1);
        if (rest == "constants.pkl" || rest.substr(0, 5) == "code/") layout.torchscript = true;
    }
    return layout;
}

torch::Dtype torchDtype(StorageDtype dtype) {
    switch (dtype) {
        case StorageDtype::Float32:
            return torch::kFloat32;
        case StorageDtype::Float16:
            return torch::kFloat16;
        case StorageDtype::BFloat16:
            return torch::kBFloat16;
        case StorageDtype::Float64:
            return torch::kFloat64;
        case StorageDtype::Int64:
            return torch::kInt64;
        case StorageDtype::Int32:
            return torch::kInt32;
    }
    return torch::kFloat32;
}

bool hostIsLittleEndian() {
    const uint16_t probe = 1;
    unsigned char first = 0;
    std::memcpy(&first, &probe, 1);
    return first == 1;
}

StateDict readArchive(const ZipArchive& zip, const TorchReadOptions& options) {
    const std::string& what = zip.what();
    const Layout layout = layoutOf(zip);
    if (!layout.pickle) throw Error(what + " is a zip archive without a data.pkl: not a PyTorch checkpoint");
    if (layout.torchscript)
        throw Error(
            what + " is a TorchScript archive (such as a Pix2Pix Studio .p2pm), not a torch.save state dict");
    if (const ZipEntry* order = zip.find(layout.prefix + "/byteorder")) {
        const std::string value = zip.read(*order, 16, options.verify_checksums);
        if (value != "little")
            throw Error(what + ": tensors stored in '" + value + "' byte order are not supported");
    }
    if (!hostIsLittleEndian()) throw Error(what + ": reading checkpoints needs a little-endian machine");

    const std::string pickle = zip.read(*layout.pickle, kMaxPickleSize, options.verify_checksums);
    const PickledStateDict pickled = unpickleStateDict(pickle, what);

    std::map<std::string, torch::Tensor> storages;
    StateDict dict;
    dict.reserve(pickled.size());
    for (const auto& [key, t] : pickled) {
        const std::string entryName = layout.prefix + "/data/" + t.storage_key;
        const ZipEntry* entry = zip.find(entryName);
        if (!entry)
            throw Error(what + ": tensor '" + key + "' needs storage '" + entryName + "', which is missing");
        const uint64_t bytes =
            uint64_t(t.storage_numel) * elementSize(t.dtype);  // < 2^60, checked when unpickled
        if (entry->size != bytes)
            throw Error(what + ": storage '" + entryName + "' holds " + std::to_string(entry->size) +
                        " bytes where tensor '" + key + "' needs " + std::to_string(bytes));
        const auto tensorOptions = torch::TensorOptions().dtype(torchDtype(t.dtype));
        if (options.shapes_only) {
            dict.emplace_back(key, torch::empty(t.sizes, tensorOptions.device(torch::kMeta)));
            continue;
        }
        auto it = storages.find(t.storage_key);
        if (it == storages.end()) {
            auto storage = torch::empty({t.storage_numel}, tensorOptions);
            zip.read(*entry, storage.data_ptr(), options.verify_checksums);
            it = storages.emplace(t.storage_key, storage).first;
        }
        auto view = it->second.as_strided(t.sizes, t.strides, t.storage_offset);
        dict.emplace_back(key, view.is_contiguous() ? view : view.contiguous());
    }
    return dict;
}

}  // namespace

bool isTorchZipCheckpoint(const std::string& path) {
    try {
        std::ifstream in(path, std::ios::binary);
        char head[4] = {};
        if (!in.read(head, sizeof head) || !startsLikeZip(std::string_view(head, sizeof head))) return false;
        in.close();
        const ZipArchive zip = ZipArchive::openFile(path);
        const Layout layout = layoutOf(zip);
        return layout.pickle && !layout.torchscript;
    } catch (const std::exception&) {
        return false;
    }
}

StateDict readTorchStateDict(const std::string& path, const TorchReadOptions& options) {
    return readArchive(ZipArchive::openFile(path), options);
}

StateDict readTorchStateDictFromBuffer(const std::string& bytes, const std::string& what,
                                       const TorchReadOptions& options) {
    return readArchive(ZipArchive::openBuffer(bytes, what), options);
}

}  // namespace p2p
