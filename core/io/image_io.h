#pragma once

// Validated image loading. Every file becomes BGR CV_8UC3; anything that had to be converted (grey, alpha,
// 16-bit, palette, CMYK) is said in a note. The header is read first and absurd dimensions are refused before
// any pixel memory is allocated. Bytes are read through std::filesystem and decoded with cv::imdecode, so
// long and non-ASCII file names work. Torch-free.

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace p2p {

// Refused before decoding: larger than this per side, or more pixels in total.
constexpr int kMaxImageSide = 16384;
constexpr int64_t kMaxImagePixels = int64_t{1} << 28;

enum class ImageFormat { Unknown, Png, Jpeg, Bmp, Gif, WebP, Tiff };
std::string toString(ImageFormat format);

// What the header says, without decoding pixels.
struct ImageHeader {
    ImageFormat format = ImageFormat::Unknown;
    cv::Size size;
    int channels = 0;      // as stored: 1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha or CMYK
    int bit_depth = 8;     // bits per sample
    bool palette = false;  // PNG colour type 3 (or a BMP/GIF colour table)
    bool cmyk = false;     // JPEG with 4 components
};

struct LoadedImage {
    cv::Mat bgr;                     // CV_8UC3
    std::vector<std::string> notes;  // e.g. "grayscale converted to 3 channels"
    ImageHeader header;
};

// Parses the header of the file (PNG IHDR, JPEG SOF, BMP info header, GIF screen, WebP VP8/VP8L/VP8X,
// TIFF first IFD). Throws p2p::Error naming the path and the reason for an empty, unreadable, unknown or
// too large file.
ImageHeader readImageHeader(const std::string& path);
// The same for bytes already in memory; `what` names them in messages.
ImageHeader parseImageHeader(const std::vector<uint8_t>& bytes, const std::string& what);
// Header only: the image's size.
cv::Size readImageSize(const std::string& path);
// The header, plus what can be checked without decoding that the file is whole: a JPEG's end-of-image
// marker after its image data, a PNG's IEND chunk, a BMP's or WebP's recorded length against the file's.
// Throws p2p::Error naming the path ("truncated JPEG (...)") for a file that loadImage would refuse for it.
// Reads the header and the file's tail only (the whole file only for a JPEG whose tail has no end marker).
ImageHeader readImageHeaderChecked(const std::string& path);

// Reads and decodes; throws p2p::Error naming the path and the reason.
LoadedImage loadImage(const std::string& path);
// Reads a whole file into memory (throws p2p::Error naming the path).
std::vector<uint8_t> readFileBytes(const std::string& path);

// Lower-case extensions (with the dot) the loader accepts: .jpg .jpeg .png .bmp .webp .tif .tiff
// Encodes `image` (8-bit BGR or grey) in the format its extension names (.png, .jpg, .bmp, .tif, .webp) and writes
// it atomically: a failure leaves the old file or none. Throws p2p::Error naming the file and the reason.
void saveImage(const std::string& path, const cv::Mat& image);
// The same in the format `ext` names (".png", ".jpg", ...), whatever the file is called.
void saveImageAs(const std::string& path, const cv::Mat& image, const std::string& ext);

const std::vector<std::string>& supportedImageExtensions();
bool hasSupportedImageExtension(const std::string& path);

}  // namespace p2p
