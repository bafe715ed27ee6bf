// Writes the seed corpus of fuzz_image_loader (tools/fuzz/corpus/image): the small files of the test suite's
// bad-input corpus (tests/support/bad_inputs.h) and tiny images in every format and colour layout the loader
// handles. The seeds are committed; run this again only to change them:
//   g++ -std=c++17 -I. $(pkg-config --cflags opencv4) tools/fuzz/make_image_seeds.cpp \
//       $(pkg-config --libs opencv4) -o /tmp/make_image_seeds && /tmp/make_image_seeds
//       tools/fuzz/corpus/image

#include <cstdio>
#include <string>

#include "tests/support/bad_inputs.h"

using namespace p2p::test;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT_FOLDER\n", argv[0]);
        return 2;
    }
    const std::string out = argv[1];
    auto put = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
        if (bytes.size() > 8192) return;  // seeds stay small: mutations are cheaper
        writeBytes(out + "/" + name, bytes);
    };
    int n = 0;
    for (const auto& c : badInputCorpus()) {
        std::string name;
        for (char ch : c.id) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
        put("corpus_" + std::to_string(n++) + "_" + name, c.bytes);
    }
    const cv::Mat rgb = noiseImage(8, 4), grey = noiseImage(8, 4, CV_8UC1), rgba = noiseImage(8, 4, CV_8UC4);
    const cv::Mat rgb16 = noiseImage(8, 4, CV_16UC3), grey16 = noiseImage(8, 4, CV_16UC1);
    put("rgb.png", encodeImage(".png", rgb));
    put("grey.png", encodeImage(".png", grey));
    put("rgba.png", encodeImage(".png", rgba));
    put("rgb16.png", encodeImage(".png", rgb16));
    put("grey16.png", encodeImage(".png", grey16));
    put("rgb.jpg", encodeImage(".jpg", rgb));
    put("grey.jpg", encodeImage(".jpg", grey));
    put("progressive.jpg", encodeImage(".jpg", rgb, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
    put("rgb.bmp", encodeImage(".bmp", rgb));
    put("grey.bmp", encodeImage(".bmp", grey));
    put("rgb.tif", encodeImage(".tif", rgb));
    put("rgb16.tif", encodeImage(".tif", rgb16));
    try {
        put("rgb.webp", encodeImage(".webp", rgb));
        put("lossless.webp", encodeImage(".webp", rgba, {cv::IMWRITE_WEBP_QUALITY, 101}));
    } catch (const std::exception&) {
    }
    std::vector<uint8_t> indices(8 * 4);
    for (size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<uint8_t>(1 + i % 12);
    std::vector<std::array<uint8_t, 3>> palette(13);
    for (size_t i = 0; i < palette.size(); ++i)
        palette[i] = {uint8_t(i * 19), uint8_t(255 - i * 17), uint8_t(i * 7)};
    put("labels_palette.png", craftPng(8, 4, 3, 8, indices, palette));
    std::vector<uint8_t> ids(8 * 4);
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<uint8_t>(i % 13);
    put("labels_grey.png", craftPng(8, 4, 0, 8, ids));
    put("gif_header.gif", {'G', 'I', 'F', '8', '9', 'a', 8, 0, 4, 0, 0, 0, 0, ';'});
    std::printf("wrote the seeds to %s\n", out.c_str());
    return 0;
}
