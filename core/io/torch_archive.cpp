#include "core/io/torch_archive.h"

#include <cctype>
#include <cstdint>
#include <stdexcept>

#include <caffe2/serialize/versions.h>

#include "core/common/error.h"
#include "core/io/zip_reader.h"

namespace p2p {

void checkTorchArchiveOpens(const std::string& path) {
    try {
        const ZipArchive zip = ZipArchive::openFile(path);
        if (zip.entries().empty()) throw std::runtime_error("an empty zip archive");
        const std::string& first = zip.entries().front().name;
        const size_t slash = first.find('/');
        if (slash == std::string::npos) throw std::runtime_error("a zip archive without a folder: " + first);
        const std::string folder = first.substr(0, slash + 1);
        const ZipEntry* version = zip.find(folder + ".data/version");
        if (!version) version = zip.find(folder + "version");
        if (!version) throw std::runtime_error("a zip archive without a version record");
        if (!zip.find(folder + "data.pkl")) throw std::runtime_error("a zip archive without a data.pkl");
        const std::string text = zip.read(*version, 32);
        uint64_t number = 0;
        size_t digits = 0;
        while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
            number = number * 10 + uint64_t(text[digits++] - '0');
        if (digits == 0 || digits > 6 || number < caffe2::serialize::kMinSupportedFileFormatVersion ||
            number > caffe2::serialize::kMaxSupportedFileFormatVersion)
            throw std::runtime_error("a zip archive with an unsupported version record '" + text + "'");
    } catch (const Error& e) {
        std::string reason = e.what();  // the zip reader's, which starts with the path the caller names
        if (reason.rfind(path, 0) == 0) reason = reason.substr(path.size());
        while (!reason.empty() && (reason.front() == ':' || reason.front() == ' ')) reason.erase(0, 1);
        throw std::runtime_error(reason);
    }
}

}  // namespace p2p
