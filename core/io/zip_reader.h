#pragma once

// A small, bounds-checked reader for the zip files PyTorch writes: STORED (uncompressed) entries, ZIP64
// end records, data descriptors. Reads from a file or from an in-memory buffer (so it can be fuzzed).
// Torch-free. Every malformed input throws p2p::Error; nothing is trusted before it is checked.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace p2p {

struct ZipEntry {
    std::string name;
    uint16_t flags = 0;
    uint16_t method = 0;  // 0 = stored, 8 = deflate, ...
    uint32_t crc32 = 0;
    uint64_t compressed_size = 0;
    uint64_t size = 0;
    uint64_t local_header_offset = 0;
};

// Random access to the bytes of a zip file. Not thread-safe.
class ZipByteSource {
public:
    virtual ~ZipByteSource() = default;
    virtual uint64_t size() const = 0;
    // Copies [offset, offset + length) into `destination`; throws p2p::Error when out of range.
    virtual void readAt(uint64_t offset, void* destination, size_t length) = 0;
};

class ZipArchive {
public:
    // `what` names the source in messages (a path, or e.g. "buffer").
    static ZipArchive openFile(const std::string& path);
    // The buffer must outlive the archive.
    static ZipArchive openBuffer(std::string_view bytes, const std::string& what);

    const std::string& what() const { return what_; }
    const std::vector<ZipEntry>& entries() const { return entries_; }
    const ZipEntry* find(std::string_view name) const;  // nullptr when absent

    // Copies a stored entry's data into `destination` (exactly entry.size bytes). Refuses compressed or
    // encrypted entries. With `verifyChecksum`, a CRC-32 mismatch throws.
    void read(const ZipEntry& entry, void* destination, bool verifyChecksum = true) const;
    // The same into a string; refuses entries larger than `maxSize`.
    std::string read(const ZipEntry& entry, uint64_t maxSize, bool verifyChecksum = true) const;

private:
    ZipArchive(std::shared_ptr<ZipByteSource> source, std::string what);
    void readDirectory();
    uint64_t dataOffset(const ZipEntry& entry) const;

    std::shared_ptr<ZipByteSource> source_;
    std::string what_;
    std::vector<ZipEntry> entries_;
};

// True when the first bytes are a zip local file header ("PK\3\4").
bool startsLikeZip(std::string_view firstBytes);

uint32_t crc32(const void* data, size_t length, uint32_t previous = 0);

}  // namespace p2p
