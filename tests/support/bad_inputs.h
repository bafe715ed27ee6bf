#pragma once

// The bad-input corpus of issue 8, made by the tests themselves: every kind of broken or unusual image file a
// user can feed the app, with what each consumer must do with it. Torch-free (the ui tests use it too).
//
// Consumers and what they promise (docs/RELIABILITY.md):
//   dataset (scan, train, eval): a file refused by its header is skipped by the scan, with path and reason;
//       a file whose header is fine but whose data is not is skipped when it is decoded, with path and
//       reason; valid files in the same folder still train.
//   single image (translate, the studio's open action): refused with a message naming the file and the
//       reason, or opened with a note saying what was converted.

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "tests/core/data/crafted_files.h"

namespace p2p::test {

// An 8x8 CMYK JPEG with an Adobe marker, made once with libjpeg (cv::imwrite cannot write CMYK): the left
// half is cyan ink, the right half no ink.
inline std::vector<uint8_t> cmykJpegBytes() {
    static const unsigned char bytes[] = {
        0xff, 0xd8, 0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00,
        0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
        0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
        0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
        0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
        0x01, 0x01, 0xff, 0xc0, 0x00, 0x14, 0x08, 0x00, 0x08, 0x00, 0x08, 0x04, 0x43, 0x11, 0x00, 0x4d, 0x11,
        0x00, 0x59, 0x11, 0x00, 0x4b, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x1f, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01,
        0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
        0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x10, 0x00, 0x02, 0x01, 0x03, 0x03, 0x02,
        0x04, 0x03, 0x05, 0x05, 0x04, 0x04, 0x00, 0x00, 0x01, 0x7d, 0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05,
        0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
        0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17,
        0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43,
        0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
        0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85,
        0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4,
        0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
        0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1,
        0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
        0xf9, 0xfa, 0xff, 0xda, 0x00, 0x0e, 0x04, 0x43, 0x00, 0x4d, 0x00, 0x59, 0x00, 0x4b, 0x00, 0x00, 0x3f,
        0x00, 0x8f, 0xfe, 0x0c, 0x63, 0xff, 0x00, 0x9c, 0xa2, 0xff, 0x00, 0xdd, 0x93, 0x7f, 0xef, 0xdc, 0x57,
        0xf7, 0xf1, 0x5f, 0xdf, 0xc5, 0x7f, 0x7f, 0x15, 0xff, 0xd9};
    return std::vector<uint8_t>(std::begin(bytes), std::end(bytes));
}

// What happens to a file inside a dataset folder.
enum class InDataset {
    Used,           // becomes a training pair (perhaps converted)
    RefusedByScan,  // skipped by the scan (its header is wrong), with its path and reason
    RefusedOnLoad,  // the header is fine, the data is not: skipped when decoded, with its path and reason
    Ignored,        // not an image file at all (counted in a note)
};

struct BadInput {
    std::string id;    // the data row's name
    std::string name;  // the file name
    std::vector<uint8_t> bytes;
    InDataset inDataset = InDataset::Used;
    bool opensAlone = true;  // translate and the studio accept it on its own
    std::string reason;      // refused: a part of the reason every consumer gives
    std::string note;        // opened alone: a part of the conversion note ("" when nothing is converted)
};

// A colour noise image (incompressible, so truncating its encoding cuts the pixel data).
inline cv::Mat noiseImage(int width, int height, int type = CV_8UC3, unsigned seed = 1) {
    cv::Mat m(height, width, type);
    cv::RNG rng(seed);
    rng.fill(m, cv::RNG::UNIFORM, 0, CV_MAT_DEPTH(type) == CV_16U ? 65536 : 256);
    return m;
}

inline std::vector<uint8_t> encodeImage(const std::string& ext, const cv::Mat& image,
                                        const std::vector<int>& params = {}) {
    std::vector<uint8_t> bytes;
    if (!cv::imencode(ext, image, bytes, params)) throw std::runtime_error("cannot encode " + ext);
    return bytes;
}

// A valid aligned A|B pair (both halves 16x16), as PNG.
inline std::vector<uint8_t> validPairPng(unsigned seed) {
    return encodeImage(".png", noiseImage(32, 16, CV_8UC3, seed));
}

// A JPEG cut halfway through its entropy-coded data: every header segment is intact.
inline std::vector<uint8_t> truncatedJpeg() {
    std::vector<uint8_t> jpeg = encodeImage(".jpg", noiseImage(64, 32), {cv::IMWRITE_JPEG_QUALITY, 95});
    size_t sos = 0;
    for (size_t i = 2; i + 1 < jpeg.size(); ++i)
        if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) {
            sos = i;
            break;
        }
    if (sos == 0) throw std::runtime_error("no SOS marker in the JPEG");
    jpeg.resize(sos + (jpeg.size() - sos) / 2);
    return jpeg;
}

// A PNG cut in the middle of its pixel data (IHDR intact).
inline std::vector<uint8_t> truncatedPng() {
    std::vector<uint8_t> png = validPairPng(7);
    png.resize(png.size() / 2);
    return png;
}

// A PNG whose pixel data is damaged but whose length is whole (IEND intact): only decoding finds it.
inline std::vector<uint8_t> damagedPng() {
    std::vector<uint8_t> png = validPairPng(9);
    size_t idat = 0;
    for (size_t i = 8; i + 4 < png.size(); ++i)
        if (std::memcmp(png.data() + i, "IDAT", 4) == 0) {
            idat = i + 4;
            break;
        }
    if (idat == 0) throw std::runtime_error("no IDAT chunk in the PNG");
    for (size_t i = idat + 2; i < idat + 40 && i < png.size(); ++i) png[i] ^= 0x5A;  // past the zlib header
    return png;
}

inline std::vector<uint8_t> randomBytes(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<uint8_t> out(n);
    for (auto& b : out) b = static_cast<uint8_t>(rng());
    out[0] = 0x17;  // never by chance a known image signature
    return out;
}

inline std::vector<uint8_t> textBytes(const std::string& text) {
    return std::vector<uint8_t>(text.begin(), text.end());
}

// Names at the limits: 251 bytes of name (NAME_MAX is 255) and a name in three scripts.
inline std::string longFileName() {
    return std::string(247, 'x') + ".png";
}
inline std::string nonAsciiFileName() {
    return "fa\xC3\xA7"
           "ade_\xE3\x83\x95\xE3\x82\xA1\xE3\x82\xB5\xE3\x83\xBC\xE3\x83\x89_\xD1\x84\xD0\xB0\xD1\x81"
           "\xD0\xB0\xD0\xB4.png";  // façade_ファサード_фасад.png
}

// Every file-level case. Accepted files are valid aligned A|B pairs (even width, at least 2x2 per half).
inline std::vector<BadInput> badInputCorpus() {
    std::vector<BadInput> c;
    auto refused = [&](std::string id, std::string name, std::vector<uint8_t> bytes, InDataset where,
                       std::string reason) {
        BadInput b;
        b.id = std::move(id);
        b.name = std::move(name);
        b.bytes = std::move(bytes);
        b.inDataset = where;
        b.opensAlone = false;
        b.reason = std::move(reason);
        c.push_back(std::move(b));
    };
    auto accepted = [&](std::string id, std::string name, std::vector<uint8_t> bytes, std::string note) {
        BadInput b;
        b.id = std::move(id);
        b.name = std::move(name);
        b.bytes = std::move(bytes);
        b.note = std::move(note);
        c.push_back(std::move(b));
    };

    refused("zero-byte file", "empty.png", {}, InDataset::RefusedByScan, "the file is empty (0 bytes)");
    // The scan checks what it can without decoding (end markers, recorded lengths), so a cut file is listed
    // before training starts.
    refused("truncated JPEG", "truncated.jpg", truncatedJpeg(), InDataset::RefusedByScan, "truncated JPEG");
    {
        // Cut inside the header segments: the scan already sees it.
        std::vector<uint8_t> head = encodeImage(".jpg", noiseImage(32, 16));
        head.resize(40);
        refused("JPEG cut inside its headers", "headers-only.jpg", head, InDataset::RefusedByScan,
                "truncated JPEG");
    }
    // The scan says "truncated PNG (...)", the decoder "cannot decode the PNG data (corrupt or truncated)".
    refused("truncated PNG", "truncated.png", truncatedPng(), InDataset::RefusedByScan, "truncated");
    refused("PNG with damaged pixel data", "damaged.png", damagedPng(), InDataset::RefusedOnLoad,
            "cannot decode the PNG data");
    {
        std::vector<uint8_t> signature = validPairPng(3);
        signature.resize(5);
        refused("PNG cut inside its signature", "signature.png", signature, InDataset::RefusedByScan,
                "truncated PNG");
    }
    refused("random bytes named .jpg", "random.jpg", randomBytes(4096, 11), InDataset::RefusedByScan,
            "not an image");
    refused("text named .png", "text.png", textBytes("this is not a picture\n"), InDataset::RefusedByScan,
            "not an image");
    {
        BadInput b;
        b.id = "text file";
        b.name = "notes.txt";
        b.bytes = textBytes("a text file among the images\n");
        b.inDataset = InDataset::Ignored;
        b.opensAlone = false;
        b.reason = "not an image";
        c.push_back(std::move(b));
    }
    {
        BadInput b;
        b.id = "1x1 image";
        b.name = "one-pixel.png";
        b.bytes = encodeImage(".png", cv::Mat(1, 1, CV_8UC3, cv::Scalar(10, 20, 30)));
        b.inDataset = InDataset::RefusedByScan;  // an A|B pair needs an even width
        b.opensAlone = true;
        b.reason = "odd width 1";
        c.push_back(std::move(b));
    }
    refused("PNG header claiming 100000x100000", "huge.png", craftPngClaiming(100000, 100000),
            InDataset::RefusedByScan, "image too large: 100000x100000");
    accepted("grayscale PNG", "grey.png", encodeImage(".png", noiseImage(32, 16, CV_8UC1)), "grayscale");
    {
        cv::Mat rgba = noiseImage(32, 16, CV_8UC4);  // noisy alpha: some of it is transparent
        accepted("RGBA PNG", "rgba.png", encodeImage(".png", rgba), "transparency composited over white");
    }
    accepted("16-bit PNG", "sixteen.png", encodeImage(".png", noiseImage(32, 16, CV_16UC3)), "16-bit");
    {
        std::vector<uint8_t> indices(32 * 16);
        for (size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<uint8_t>(i % 3);
        accepted("palette PNG", "palette.png",
                 craftPng(32, 16, 3, 8, indices, {{{255, 0, 0}}, {{0, 255, 0}}, {{0, 0, 255}}}), "palette");
    }
    accepted("CMYK JPEG", "cmyk.jpg", cmykJpegBytes(), "CMYK");
    accepted("very long name", longFileName(), validPairPng(21), "");
    accepted("non-ASCII name", nonAsciiFileName(), validPairPng(22), "");
    return c;
}

}  // namespace p2p::test
