#include "core/io/image_io.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/error_text.h"

namespace fs = std::filesystem;

namespace p2p {
namespace {

constexpr uint64_t kMaxFileBytes = uint64_t{1} << 30;

// Random access to the first bytes of a file or a buffer: headers (and TIFF's IFD) can lie anywhere, and
// the scan should not read whole files to learn a size.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual uint64_t size() const = 0;
    // Reads exactly n bytes at offset, or returns false.
    virtual bool read(uint64_t offset, size_t n, uint8_t* out) = 0;
};

class BufferSource : public ByteSource {
public:
    explicit BufferSource(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}
    uint64_t size() const override { return bytes_.size(); }
    bool read(uint64_t offset, size_t n, uint8_t* out) override {
        if (offset > bytes_.size() || n > bytes_.size() - offset) return false;
        if (n == 0) return true;  // `out` may be null then (an empty TIFF directory): no memcpy
        std::memcpy(out, bytes_.data() + offset, n);
        return true;
    }

private:
    const std::vector<uint8_t>& bytes_;
};

class FileSource : public ByteSource {
public:
    FileSource(std::ifstream& in, uint64_t size) : in_(in), size_(size) {}
    uint64_t size() const override { return size_; }
    bool read(uint64_t offset, size_t n, uint8_t* out) override {
        if (offset > size_ || n > size_ - offset) return false;
        if (n == 0) return true;
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
        return static_cast<size_t>(in_.gcount()) == n;
    }

private:
    std::ifstream& in_;
    uint64_t size_;
};

uint32_t be16(const uint8_t* p) {
    return (uint32_t{p[0]} << 8) | p[1];
}
uint32_t be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint32_t le16(const uint8_t* p) {
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8);
}
uint32_t le24(const uint8_t* p) {
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16);
}
uint32_t le32(const uint8_t* p) {
    return le16(p) | (le16(p + 2) << 16);
}

[[noreturn]] void fail(const std::string& what, const std::string& reason) {
    throw Error(what + ": " + reason);
}

ImageHeader parsePng(ByteSource& src, const std::string& what) {
    uint8_t h[33];
    if (!src.read(0, sizeof h, h)) fail(what, "truncated PNG (the file ends inside the IHDR header)");
    if (std::memcmp(h + 12, "IHDR", 4) != 0) fail(what, "corrupt PNG (the first chunk is not IHDR)");
    ImageHeader header;
    header.format = ImageFormat::Png;
    const uint32_t width = be32(h + 16), height = be32(h + 20);
    if (width > static_cast<uint32_t>(INT32_MAX) || height > static_cast<uint32_t>(INT32_MAX))
        fail(what,
             "PNG header claims an impossible size " + std::to_string(width) + "x" + std::to_string(height));
    header.size = cv::Size(static_cast<int>(width), static_cast<int>(height));
    header.bit_depth = h[24];
    switch (h[25]) {
        case 0:
            header.channels = 1;
            break;
        case 2:
            header.channels = 3;
            break;
        case 3:
            header.channels = 3;
            header.palette = true;
            break;
        case 4:
            header.channels = 2;
            break;
        case 6:
            header.channels = 4;
            break;
        default:
            fail(what, "corrupt PNG (unknown colour type " + std::to_string(h[25]) + ")");
    }
    return header;
}

bool isJpegSof(uint8_t marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

ImageHeader parseJpeg(ByteSource& src, const std::string& what, uint64_t* scanStart = nullptr) {
    ImageHeader header;
    header.format = ImageFormat::Jpeg;
    uint64_t pos = 2;
    bool haveSof = false;
    for (;;) {
        uint8_t m[2];
        if (!src.read(pos, 2, m)) fail(what, "truncated JPEG (the file ends before the image data)");
        if (m[0] != 0xFF) fail(what, "corrupt JPEG (expected a marker at byte " + std::to_string(pos) + ")");
        if (m[1] == 0xFF) {  // fill byte
            ++pos;
            continue;
        }
        pos += 2;
        const uint8_t marker = m[1];
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
        if (marker == 0xD9) fail(what, "corrupt JPEG (end of image before any image data)");
        uint8_t lenBytes[2];
        if (!src.read(pos, 2, lenBytes)) fail(what, "truncated JPEG (the file ends inside a header segment)");
        const uint32_t length = be16(lenBytes);
        if (length < 2) fail(what, "corrupt JPEG (segment length " + std::to_string(length) + ")");
        if (isJpegSof(marker)) {
            uint8_t sof[6];
            if (length < 8 || !src.read(pos + 2, 6, sof))
                fail(what, "truncated JPEG (the file ends inside SOF)");
            header.bit_depth = sof[0];
            const int height = static_cast<int>(be16(sof + 1)), width = static_cast<int>(be16(sof + 3));
            if (height == 0) fail(what, "unsupported JPEG (the height is given after the image data, DNL)");
            header.size = cv::Size(width, height);
            header.channels = sof[5];
            header.cmyk = sof[5] == 4;
            haveSof = true;
        }
        if (marker == 0xDA) {
            if (!haveSof) fail(what, "corrupt JPEG (image data before the frame header)");
            if (scanStart) *scanStart = pos + length;
            return header;
        }
        pos += length;
    }
}

ImageHeader parseBmp(ByteSource& src, const std::string& what) {
    uint8_t h[30];
    if (!src.read(0, 18, h)) fail(what, "truncated BMP (the file ends inside its header)");
    const uint32_t infoSize = le32(h + 14);
    ImageHeader header;
    header.format = ImageFormat::Bmp;
    int64_t width = 0, height = 0;
    int bpp = 0;
    if (infoSize == 12) {
        if (!src.read(0, 26, h)) fail(what, "truncated BMP (the file ends inside its header)");
        width = le16(h + 18);
        height = le16(h + 20);
        bpp = static_cast<int>(le16(h + 24));
    } else if (infoSize >= 40) {
        if (!src.read(0, 30, h)) fail(what, "truncated BMP (the file ends inside its header)");
        width = static_cast<int32_t>(le32(h + 18));
        height = static_cast<int32_t>(le32(h + 22));
        bpp = static_cast<int>(le16(h + 28));
    } else {
        fail(what, "corrupt BMP (unknown header size " + std::to_string(infoSize) + ")");
    }
    height = height < 0 ? -height : height;  // negative: stored top-down
    if (width <= 0 || width > INT32_MAX || height > INT32_MAX)
        fail(what,
             "BMP header claims an impossible size " + std::to_string(width) + "x" + std::to_string(height));
    header.size = cv::Size(static_cast<int>(width), static_cast<int>(height));
    header.palette = bpp <= 8;
    header.channels = bpp == 32 ? 4 : (bpp == 8 || bpp == 1 || bpp == 4) ? 3 : 3;
    return header;
}

ImageHeader parseGif(ByteSource& src, const std::string& what) {
    uint8_t h[10];
    if (!src.read(0, 10, h)) fail(what, "truncated GIF (the file ends inside its header)");
    ImageHeader header;
    header.format = ImageFormat::Gif;
    header.size = cv::Size(static_cast<int>(le16(h + 6)), static_cast<int>(le16(h + 8)));
    header.channels = 3;
    header.palette = true;
    return header;
}

ImageHeader parseWebp(ByteSource& src, const std::string& what) {
    uint8_t h[30];
    if (!src.read(0, 30, h)) fail(what, "truncated WebP (the file ends inside its header)");
    ImageHeader header;
    header.format = ImageFormat::WebP;
    header.channels = 3;
    if (std::memcmp(h + 12, "VP8 ", 4) == 0) {
        if (h[23] != 0x9D || h[24] != 0x01 || h[25] != 0x2A) fail(what, "corrupt WebP (bad VP8 start code)");
        header.size =
            cv::Size(static_cast<int>(le16(h + 26) & 0x3FFF), static_cast<int>(le16(h + 28) & 0x3FFF));
    } else if (std::memcmp(h + 12, "VP8L", 4) == 0) {
        if (h[20] != 0x2F) fail(what, "corrupt WebP (bad VP8L signature)");
        const uint32_t bits = le32(h + 21);
        header.size =
            cv::Size(static_cast<int>((bits & 0x3FFF) + 1), static_cast<int>(((bits >> 14) & 0x3FFF) + 1));
        if ((bits >> 28) & 1) header.channels = 4;
    } else if (std::memcmp(h + 12, "VP8X", 4) == 0) {
        header.size = cv::Size(static_cast<int>(le24(h + 24) + 1), static_cast<int>(le24(h + 27) + 1));
        if (h[20] & 0x10) header.channels = 4;
    } else {
        fail(what, "unsupported WebP (unknown first chunk)");
    }
    return header;
}

ImageHeader parseTiff(ByteSource& src, const std::string& what) {
    uint8_t h[16];
    if (!src.read(0, 8, h)) fail(what, "truncated TIFF (the file ends inside its header)");
    const bool little = h[0] == 'I';
    auto u16 = [&](const uint8_t* p) { return little ? le16(p) : be16(p); };
    auto u32 = [&](const uint8_t* p) { return little ? le32(p) : be32(p); };
    auto u64 = [&](const uint8_t* p) -> uint64_t {
        const uint64_t a = u32(p), b = u32(p + 4);
        return little ? (b << 32) | a : (a << 32) | b;
    };
    const bool big = u16(h + 2) == 43;
    uint64_t ifd = 0;
    if (big) {
        if (!src.read(0, 16, h)) fail(what, "truncated TIFF (the file ends inside its header)");
        ifd = u64(h + 8);
    } else {
        ifd = u32(h + 4);
    }
    const size_t countBytes = big ? 8 : 2, entryBytes = big ? 20 : 12;
    uint8_t countBuf[8];
    if (!src.read(ifd, countBytes, countBuf))
        fail(what, "truncated TIFF (the first directory lies past the end)");
    const uint64_t count = big ? u64(countBuf) : u16(countBuf);
    if (count > 4096) fail(what, "corrupt TIFF (" + std::to_string(count) + " directory entries)");
    std::vector<uint8_t> entries(count * entryBytes);
    if (!src.read(ifd + countBytes, entries.size(), entries.data()))
        fail(what, "truncated TIFF (the file ends inside the first directory)");
    ImageHeader header;
    header.format = ImageFormat::Tiff;
    header.channels = 1;
    int64_t width = -1, height = -1;
    for (uint64_t i = 0; i < count; ++i) {
        const uint8_t* e = entries.data() + i * entryBytes;
        const uint32_t tag = u16(e), type = u16(e + 2);
        const uint8_t* value = e + (big ? 12 : 8);
        // SHORT values sit in the first two bytes of the value field, LONG in four. LONG8 exists only in
        // BigTIFF, whose value field has the 8 bytes for it; a classic TIFF's has 4 (found by fuzzing:
        // reading 8 there ran past the last entry).
        const int64_t v = type == 3           ? u16(value)
                          : type == 4         ? u32(value)
                          : type == 16 && big ? int64_t(u64(value))
                                              : -1;
        switch (tag) {
            case 256:
                width = v;
                break;
            case 257:
                height = v;
                break;
            case 258:
                header.bit_depth = type == 3 ? static_cast<int>(u16(value)) : 8;
                break;
            case 277:
                header.channels = static_cast<int>(v);
                break;
            case 262:
                header.palette = v == 3;
                header.cmyk = v == 5;
                break;
            default:
                break;
        }
    }
    if (width <= 0 || height <= 0)
        fail(what, "corrupt TIFF (no image width or length in the first directory)");
    if (width > INT32_MAX || height > INT32_MAX)
        fail(what,
             "TIFF header claims an impossible size " + std::to_string(width) + "x" + std::to_string(height));
    header.size = cv::Size(static_cast<int>(width), static_cast<int>(height));
    if (header.palette) header.channels = 3;
    return header;
}

ImageHeader parseHeader(ByteSource& src, const std::string& what, uint64_t* jpegScanStart = nullptr) {
    const uint64_t size = src.size();
    if (size == 0) fail(what, "the file is empty (0 bytes)");
    uint8_t sig[12] = {};
    const size_t n = static_cast<size_t>(std::min<uint64_t>(size, sizeof sig));
    src.read(0, n, sig);
    ImageHeader header;
    if (n >= 8 && std::memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0) {
        header = parsePng(src, what);
    } else if (n >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF) {
        header = parseJpeg(src, what, jpegScanStart);
    } else if (n >= 2 && sig[0] == 'B' && sig[1] == 'M') {
        header = parseBmp(src, what);
    } else if (n >= 6 && (std::memcmp(sig, "GIF87a", 6) == 0 || std::memcmp(sig, "GIF89a", 6) == 0)) {
        header = parseGif(src, what);
    } else if (n >= 12 && std::memcmp(sig, "RIFF", 4) == 0 && std::memcmp(sig + 8, "WEBP", 4) == 0) {
        header = parseWebp(src, what);
    } else if (n >= 4 && (std::memcmp(sig, "II*\0", 4) == 0 || std::memcmp(sig, "MM\0*", 4) == 0 ||
                          std::memcmp(sig, "II+\0", 4) == 0 || std::memcmp(sig, "MM\0+", 4) == 0)) {
        header = parseTiff(src, what);
    } else if (n < 8 && n >= 2 && std::memcmp(sig, "\x89PNG\r\n\x1a\n", n) == 0) {
        fail(what, "truncated PNG (the file ends inside the signature)");
    } else {
        fail(what, size < 8 ? "not an image (only " + std::to_string(size) + " bytes, no known signature)"
                            : "not an image (unrecognised content: not JPEG, PNG, BMP, WebP or TIFF)");
    }
    const int64_t w = header.size.width, h = header.size.height;
    if (w <= 0 || h <= 0)
        fail(what, "the " + toString(header.format) + " header gives an empty size " + std::to_string(w) +
                       "x" + std::to_string(h));
    if (w > kMaxImageSide || h > kMaxImageSide || w * h > kMaxImagePixels)
        fail(what, "image too large: " + std::to_string(w) + "x" + std::to_string(h) + " (limit " +
                       std::to_string(kMaxImageSide) + " per side and " + std::to_string(kMaxImagePixels) +
                       " pixels); refused before decoding");
    return header;
}

std::ifstream openForReading(const std::string& path, uint64_t* size) {
    const fs::path p(path);
    std::error_code ec;
    const auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) fail(path, "the file does not exist");
    if (fs::is_directory(status)) fail(path, "is a folder, not an image file");
    if (!fs::is_regular_file(status)) fail(path, "is not a regular file");
    *size = fs::file_size(p, ec);
    if (ec) fail(path, "cannot read the file size (" + ec.message() + ")");
    std::ifstream in(p, std::ios::binary);
    if (!in) fail(path, std::string("cannot open for reading (") + std::strerror(errno) + ")");
    return in;
}

// A JPEG cut short still decodes (libjpeg pads with grey and only warns), so look for the end-of-image
// marker after the scan data: entropy-coded data never contains FF D9.
bool jpegHasEnd(const std::vector<uint8_t>& bytes, uint64_t scanStart) {
    for (size_t i = bytes.size(); i >= 2 && i - 2 >= scanStart; --i)
        if (bytes[i - 2] == 0xFF && bytes[i - 1] == 0xD9) return true;
    return false;
}

}  // namespace

std::string toString(ImageFormat format) {
    switch (format) {
        case ImageFormat::Png:
            return "PNG";
        case ImageFormat::Jpeg:
            return "JPEG";
        case ImageFormat::Bmp:
            return "BMP";
        case ImageFormat::Gif:
            return "GIF";
        case ImageFormat::WebP:
            return "WebP";
        case ImageFormat::Tiff:
            return "TIFF";
        case ImageFormat::Unknown:
            break;
    }
    return "unknown";
}

ImageHeader parseImageHeader(const std::vector<uint8_t>& bytes, const std::string& what) {
    BufferSource src(bytes);
    return parseHeader(src, what);
}

ImageHeader readImageHeader(const std::string& path) {
    uint64_t size = 0;
    std::ifstream in = openForReading(path, &size);
    FileSource src(in, size);
    return parseHeader(src, path);
}

namespace {

// Whether `needle` occurs in the last `window` bytes of the file (searched from the end).
bool tailContains(ByteSource& src, uint64_t from, const uint8_t* needle, size_t n) {
    const uint64_t size = src.size();
    if (size < n || from > size - n) return false;
    std::vector<uint8_t> tail(static_cast<size_t>(size - from));
    if (!src.read(from, tail.size(), tail.data())) return false;
    for (size_t i = tail.size() - n + 1; i-- > 0;)
        if (std::memcmp(tail.data() + i, needle, n) == 0) return true;
    return false;
}

// Checks the end of the file against what its format requires there; throws like loadImage would.
void checkFileIsWhole(ByteSource& src, const ImageHeader& header, uint64_t jpegScanStart,
                      const std::string& path) {
    // A tail this long covers the padding and trailers writers leave after the end marker.
    constexpr uint64_t kTail = 64 * 1024;
    const uint64_t size = src.size();
    const uint64_t tailStart = size > kTail ? size - kTail : 0;
    switch (header.format) {
        case ImageFormat::Jpeg: {
            static const uint8_t eoi[2] = {0xFF, 0xD9};
            // Entropy-coded data never holds FF D9, so the marker must follow the image data.
            if (tailContains(src, std::max(tailStart, jpegScanStart), eoi, 2)) return;
            if (tailStart > jpegScanStart && tailContains(src, jpegScanStart, eoi, 2)) return;
            fail(path, "truncated JPEG (no end-of-image marker after the image data)");
        }
        case ImageFormat::Png: {
            static const uint8_t iend[4] = {'I', 'E', 'N', 'D'};
            if (!tailContains(src, tailStart, iend, 4))
                fail(path, "truncated PNG (the file ends before its IEND chunk: " + std::to_string(size) +
                               " bytes)");
            return;
        }
        case ImageFormat::Bmp: {
            uint8_t h[4];
            if (!src.read(2, 4, h)) return;
            const uint64_t recorded = le32(h);  // bfSize; some writers leave it 0
            if (recorded > size)
                fail(path, "truncated BMP (the header records " + std::to_string(recorded) +
                               " bytes, the file has " + std::to_string(size) + ")");
            return;
        }
        case ImageFormat::WebP: {
            uint8_t h[4];
            if (!src.read(4, 4, h)) return;
            const uint64_t recorded = uint64_t{le32(h)} + 8;  // RIFF size excludes "RIFF" and itself
            if (recorded > size)
                fail(path, "truncated WebP (the header records " + std::to_string(recorded) +
                               " bytes, the file has " + std::to_string(size) + ")");
            return;
        }
        default:
            return;  // TIFF's strips and GIF's blocks need a real parse: left to the decoder
    }
}

}  // namespace

ImageHeader readImageHeaderChecked(const std::string& path) {
    uint64_t size = 0;
    std::ifstream in = openForReading(path, &size);
    FileSource src(in, size);
    uint64_t scanStart = 0;
    const ImageHeader header = parseHeader(src, path, &scanStart);
    checkFileIsWhole(src, header, scanStart, path);
    return header;
}

cv::Size readImageSize(const std::string& path) {
    return readImageHeader(path).size;
}

std::vector<uint8_t> readFileBytes(const std::string& path) {
    uint64_t size = 0;
    std::ifstream in = openForReading(path, &size);
    if (size > kMaxFileBytes)
        fail(path, "the file is too large (" + std::to_string(size >> 20) + " MiB; limit " +
                       std::to_string(kMaxFileBytes >> 20) + " MiB)");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    if (static_cast<uint64_t>(in.gcount()) != size)
        fail(path, "read error (the file changed or is unreadable)");
    return bytes;
}

LoadedImage loadImage(const std::string& path) {
    const std::vector<uint8_t> bytes = readFileBytes(path);
    BufferSource src(bytes);
    uint64_t scanStart = 0;
    LoadedImage out;
    out.header = parseHeader(src, path, &scanStart);
    const ImageHeader& header = out.header;
    if (header.format == ImageFormat::Gif) fail(path, "GIF is not supported (convert it to PNG)");
    if (header.format == ImageFormat::Jpeg && !jpegHasEnd(bytes, scanStart))
        fail(path, "truncated JPEG (no end-of-image marker after the image data)");

    // IMREAD_UNCHANGED keeps depth and alpha so both can be handled here, and ignores EXIF orientation as the
    // reference (PIL's Image.open().convert('RGB')) does.
    cv::Mat raw;
    try {
        raw = cv::imdecode(
            cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<uint8_t*>(bytes.data())),
            cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        fail(path, "cannot decode the " + toString(header.format) + " data (" + e.err + ")");
    }
    if (raw.empty())
        fail(path, "cannot decode the " + toString(header.format) + " data (corrupt or truncated)");
    if (raw.size() != header.size)
        fail(path, "decoded size " + std::to_string(raw.cols) + "x" + std::to_string(raw.rows) +
                       " differs from the header's " + std::to_string(header.size.width) + "x" +
                       std::to_string(header.size.height));

    if (raw.depth() == CV_16U) {
        raw.convertTo(raw, CV_8U, 1.0 / 257.0);
        out.notes.push_back("16-bit image scaled to 8 bits");
    } else if (raw.depth() != CV_8U) {
        fail(path, "unsupported sample type (only 8- and 16-bit integer images are supported)");
    }
    if (header.cmyk) out.notes.push_back("CMYK image converted to RGB");
    if (header.palette && header.format == ImageFormat::Png)
        out.notes.push_back("palette image expanded to RGB");

    switch (raw.channels()) {
        case 1:
            cv::cvtColor(raw, out.bgr, cv::COLOR_GRAY2BGR);
            out.notes.push_back("grayscale converted to 3 channels");
            break;
        case 2: {
            std::vector<cv::Mat> planes;
            cv::split(raw, planes);
            cv::Mat bgra;
            cv::merge(std::vector<cv::Mat>{planes[0], planes[0], planes[0], planes[1]}, bgra);
            raw = bgra;
            [[fallthrough]];
        }
        case 4: {
            // Composite over white: c * a + 255 * (1 - a), rounded.
            cv::Mat bgr, alpha, alpha3, inv3;
            cv::cvtColor(raw, bgr, cv::COLOR_BGRA2BGR);
            cv::extractChannel(raw, alpha, 3);
            double minAlpha = 255;
            cv::minMaxLoc(alpha, &minAlpha);
            if (minAlpha >= 255) {
                out.bgr = bgr;
                out.notes.push_back("opaque alpha channel dropped");
                break;
            }
            cv::Mat a;
            alpha.convertTo(a, CV_32F, 1.0 / 255.0);
            cv::merge(std::vector<cv::Mat>{a, a, a}, alpha3);
            cv::Mat colour;
            bgr.convertTo(colour, CV_32F);
            cv::Mat composite = colour.mul(alpha3) + (cv::Scalar::all(1.0) - alpha3) * 255.0;
            composite.convertTo(out.bgr, CV_8U);
            out.notes.push_back("transparency composited over white");
            break;
        }
        case 3:
            out.bgr = raw;
            break;
        default:
            fail(path, "unsupported channel count " + std::to_string(raw.channels()));
    }
    return out;
}

const std::vector<std::string>& supportedImageExtensions() {
    static const std::vector<std::string> extensions{".jpg",  ".jpeg", ".png", ".bmp",
                                                     ".webp", ".tif",  ".tiff"};
    return extensions;
}

bool hasSupportedImageExtension(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto& all = supportedImageExtensions();
    return std::find(all.begin(), all.end(), ext) != all.end();
}

void saveImage(const std::string& path, const cv::Mat& image) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext.empty()) throw Error(path + ": no file extension to choose an image format by (.png, .jpg, ...)");
    saveImageAs(path, image, ext);
}

void saveImageAs(const std::string& path, const cv::Mat& image, const std::string& ext) {
    std::vector<uint8_t> encoded;
    try {
        if (image.empty() || !cv::imencode(ext, image, encoded))
            throw Error(path + ": cannot encode the image as " + ext);
    } catch (const cv::Exception& e) {
        throw Error(path + ": cannot encode the image as " + ext + ": " + readableReason(e.what()));
    }
    writeFileAtomically(path, std::string_view(reinterpret_cast<const char*>(encoded.data()), encoded.size()));
}

}  // namespace p2p
