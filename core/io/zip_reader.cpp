#include "core/io/zip_reader.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>

#include "core/common/error.h"

namespace p2p {

namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr size_t kEndSize = 22;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kMaxCommentSize = 0xFFFF;
// A central directory is a few bytes per entry; anything larger than this is not a checkpoint.
constexpr uint64_t kMaxCentralDirectorySize = uint64_t(256) << 20;

uint16_t le16(const unsigned char* p) {
    return uint16_t(p[0] | (p[1] << 8));
}
uint32_t le32(const unsigned char* p) {
    return uint32_t(le16(p)) | (uint32_t(le16(p + 2)) << 16);
}
uint64_t le64(const unsigned char* p) {
    return uint64_t(le32(p)) | (uint64_t(le32(p + 4)) << 32);
}

bool fits(uint64_t offset, uint64_t length, uint64_t size) {
    return offset <= size && length <= size - offset;
}

class BufferSource : public ZipByteSource {
public:
    explicit BufferSource(std::string_view bytes) : bytes_(bytes) {}
    uint64_t size() const override { return bytes_.size(); }
    void readAt(uint64_t offset, void* destination, size_t length) override {
        if (!fits(offset, length, bytes_.size())) throw Error("read past the end of the data");
        if (length) std::memcpy(destination, bytes_.data() + offset, length);
    }

private:
    std::string_view bytes_;
};

class FileSource : public ZipByteSource {
public:
    explicit FileSource(const std::string& path) : in_(path, std::ios::binary) {
        if (!in_) throw Error(path + ": cannot open the file");
        in_.seekg(0, std::ios::end);
        const auto end = in_.tellg();
        if (end < 0) throw Error(path + ": cannot determine the file size");
        size_ = uint64_t(end);
    }
    uint64_t size() const override { return size_; }
    void readAt(uint64_t offset, void* destination, size_t length) override {
        if (!fits(offset, length, size_)) throw Error("read past the end of the file");
        in_.clear();
        in_.seekg(std::streamoff(offset));
        in_.read(static_cast<char*>(destination), std::streamsize(length));
        if (uint64_t(in_.gcount()) != length)
            throw Error("the file could not be read (truncated while reading?)");
    }

private:
    std::ifstream in_;
    uint64_t size_ = 0;
};

const std::array<std::array<uint32_t, 256>, 8>& crcTables() {
    static const auto tables = [] {
        std::array<std::array<uint32_t, 256>, 8> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[0][i] = c;
        }
        for (uint32_t i = 0; i < 256; ++i)
            for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
        return t;
    }();
    return tables;
}

}  // namespace

uint32_t crc32(const void* data, size_t length, uint32_t previous) {
    const auto& t = crcTables();
    const auto* p = static_cast<const unsigned char*>(data);
    uint32_t c = ~previous;
    // Slice-by-8: a 200 MB checkpoint is checked in a fraction of a second.
    while (length >= 8) {
        const uint32_t lo = c ^ le32(p);
        const uint32_t hi = le32(p + 4);
        c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
            t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
        p += 8;
        length -= 8;
    }
    while (length--) c = t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

bool startsLikeZip(std::string_view firstBytes) {
    return firstBytes.size() >= 4 &&
           le32(reinterpret_cast<const unsigned char*>(firstBytes.data())) == kLocalHeaderSignature;
}

ZipArchive::ZipArchive(std::shared_ptr<ZipByteSource> source, std::string what)
    : source_(std::move(source)), what_(std::move(what)) {
    try {
        readDirectory();
    } catch (const Error& e) {
        const std::string message = e.what();
        if (message.rfind(what_, 0) == 0) throw;
        throw Error(what_ + " is not a readable zip archive: " + message);
    }
}

ZipArchive ZipArchive::openFile(const std::string& path) {
    return ZipArchive(std::make_shared<FileSource>(path), path);
}

ZipArchive ZipArchive::openBuffer(std::string_view bytes, const std::string& what) {
    return ZipArchive(std::make_shared<BufferSource>(bytes), what);
}

void ZipArchive::readDirectory() {
    const uint64_t fileSize = source_->size();
    if (fileSize < kEndSize)
        throw Error("too short for a zip archive (" + std::to_string(fileSize) + " bytes)");

    // The end record sits in the last 22 + comment bytes; search backwards for its signature.
    const uint64_t tailSize = std::min<uint64_t>(fileSize, kEndSize + kMaxCommentSize + kZip64LocatorSize);
    const uint64_t tailStart = fileSize - tailSize;
    std::vector<unsigned char> tail(tailSize);
    source_->readAt(tailStart, tail.data(), tail.size());
    int64_t endPos = -1;
    for (int64_t i = int64_t(tailSize) - int64_t(kEndSize); i >= 0; --i) {
        const unsigned char* p = tail.data() + i;
        if (le32(p) == kEndSignature && uint64_t(i) + kEndSize + le16(p + 20) <= tailSize) {
            endPos = i;
            break;
        }
    }
    if (endPos < 0) throw Error("no end-of-central-directory record (not a zip, or truncated)");
    const unsigned char* end = tail.data() + endPos;
    if (le16(end + 4) != 0 || le16(end + 6) != 0) throw Error("multi-disk zip archives are not supported");
    uint64_t entryCount = le16(end + 10);
    uint64_t directorySize = le32(end + 12);
    uint64_t directoryOffset = le32(end + 16);

    // ZIP64: a locator right before the end record points at the 64-bit end record.
    if (endPos >= int64_t(kZip64LocatorSize) && le32(end - kZip64LocatorSize) == kZip64LocatorSignature) {
        const uint64_t zip64EndOffset = le64(end - kZip64LocatorSize + 8);
        if (!fits(zip64EndOffset, kZip64EndSize, fileSize))
            throw Error("the ZIP64 end record is out of range");
        unsigned char z[kZip64EndSize];
        source_->readAt(zip64EndOffset, z, sizeof z);
        if (le32(z) != kZip64EndSignature) throw Error("the ZIP64 end record has a bad signature");
        if (le32(z + 16) != 0 || le32(z + 20) != 0) throw Error("multi-disk zip archives are not supported");
        entryCount = le64(z + 32);
        directorySize = le64(z + 40);
        directoryOffset = le64(z + 48);
    } else if (entryCount == 0xFFFF || directorySize == 0xFFFFFFFF || directoryOffset == 0xFFFFFFFF) {
        throw Error("the ZIP64 end record is missing");
    }

    if (!fits(directoryOffset, directorySize, fileSize)) throw Error("the central directory is out of range");
    if (directorySize > kMaxCentralDirectorySize) throw Error("the central directory is implausibly large");
    if (entryCount > directorySize / kCentralHeaderSize)
        throw Error("the entry count does not fit the directory");

    std::vector<unsigned char> dir(directorySize);
    source_->readAt(directoryOffset, dir.data(), dir.size());
    entries_.reserve(entryCount);
    size_t pos = 0;
    for (uint64_t n = 0; n < entryCount; ++n) {
        if (!fits(pos, kCentralHeaderSize, dir.size())) throw Error("the central directory is truncated");
        const unsigned char* h = dir.data() + pos;
        if (le32(h) != kCentralHeaderSignature) throw Error("a central directory entry has a bad signature");
        ZipEntry e;
        e.flags = le16(h + 8);
        e.method = le16(h + 10);
        e.crc32 = le32(h + 16);
        e.compressed_size = le32(h + 20);
        e.size = le32(h + 24);
        const size_t nameLength = le16(h + 28), extraLength = le16(h + 30), commentLength = le16(h + 32);
        const uint16_t diskStart = le16(h + 34);
        e.local_header_offset = le32(h + 42);
        const size_t variable = nameLength + extraLength + commentLength;
        if (!fits(pos + kCentralHeaderSize, variable, dir.size()))
            throw Error("the central directory is truncated");
        e.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), nameLength);

        // ZIP64 extended information: the 64-bit values, in this order, for the fields that overflowed.
        const unsigned char* extra = h + kCentralHeaderSize + nameLength;
        for (size_t x = 0; x + 4 <= extraLength;) {
            const uint16_t id = le16(extra + x), length = le16(extra + x + 2);
            if (x + 4 + length > extraLength)
                throw Error("entry '" + e.name + "' has a malformed extra field");
            if (id == 0x0001) {
                const unsigned char* v = extra + x + 4;
                size_t used = 0;
                auto next64 = [&](uint64_t& field) {
                    if (used + 8 > length) throw Error("entry '" + e.name + "' has a short ZIP64 field");
                    field = le64(v + used);
                    used += 8;
                };
                if (e.size == 0xFFFFFFFF) next64(e.size);
                if (e.compressed_size == 0xFFFFFFFF) next64(e.compressed_size);
                if (e.local_header_offset == 0xFFFFFFFF) next64(e.local_header_offset);
            }
            x += 4 + length;
        }
        if (diskStart != 0 && diskStart != 0xFFFF) throw Error("multi-disk zip archives are not supported");
        if (!fits(e.local_header_offset, kLocalHeaderSize, fileSize))
            throw Error("entry '" + e.name + "' points outside the file");
        entries_.push_back(std::move(e));
        pos += kCentralHeaderSize + variable;
    }
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
    for (const auto& e : entries_)
        if (e.name == name) return &e;
    return nullptr;
}

uint64_t ZipArchive::dataOffset(const ZipEntry& entry) const {
    const std::string where = what_ + ": entry '" + entry.name + "'";
    if (entry.flags & 0x1) throw Error(where + " is encrypted");
    if (entry.method != 0)
        throw Error(where + " is compressed (method " + std::to_string(entry.method) +
                    "); PyTorch stores checkpoint entries uncompressed, so this archive was re-packed: "
                    "save it again with torch.save");
    if (entry.compressed_size != entry.size) throw Error(where + " is stored but its two sizes differ");
    unsigned char local[kLocalHeaderSize];
    source_->readAt(entry.local_header_offset, local, sizeof local);
    if (le32(local) != kLocalHeaderSignature) throw Error(where + " has a bad local header signature");
    const uint64_t nameLength = le16(local + 26), extraLength = le16(local + 28);
    if (nameLength != entry.name.size()) throw Error(where + ": the local and central names differ");
    const uint64_t offset = entry.local_header_offset + kLocalHeaderSize + nameLength + extraLength;
    if (!fits(offset, entry.size, source_->size()))
        throw Error(where + " runs past the end of the file (truncated?)");
    std::string localName(nameLength, '\0');
    source_->readAt(entry.local_header_offset + kLocalHeaderSize, localName.data(), localName.size());
    if (localName != entry.name) throw Error(where + ": the local and central names differ");
    return offset;
}

void ZipArchive::read(const ZipEntry& entry, void* destination, bool verifyChecksum) const {
    const uint64_t offset = dataOffset(entry);
    try {
        source_->readAt(offset, destination, size_t(entry.size));
    } catch (const Error& e) {
        throw Error(what_ + ": entry '" + entry.name + "': " + e.what());
    }
    if (verifyChecksum && crc32(destination, size_t(entry.size)) != entry.crc32)
        throw Error(what_ + ": entry '" + entry.name + "' is corrupt (CRC-32 mismatch)");
}

std::string ZipArchive::read(const ZipEntry& entry, uint64_t maxSize, bool verifyChecksum) const {
    if (entry.size > maxSize)
        throw Error(what_ + ": entry '" + entry.name + "' is implausibly large (" +
                    std::to_string(entry.size) + " bytes)");
    std::string data(size_t(entry.size), '\0');
    read(entry, data.data(), verifyChecksum);
    return data;
}

}  // namespace p2p
