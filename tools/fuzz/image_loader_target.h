#pragma once

// One input of fuzz_image_loader (tools/fuzz/fuzz_image_loader.cpp), shared with the regression test that
// replays the seed corpus and every kept crasher (tests/core/reliability/test_fuzz_regressions.cpp).
// The dataset image path on untrusted bytes:
//   header (readImageHeader, parseImageHeader) -> decode (loadImage: 3-channel 8-bit) -> aligned A|B split
//   (loadPair) -> the reference's preprocessing (applyTransform, each mode) -> normalisation to a [-1, 1]
//   tensor (imageToTensor) ; and the label-map reader (loadLabelMap, with its own PNG palette parser).
// A p2p::Error is the expected answer to bad bytes. Any other exception, a sanitizer report, or a result that
// breaks what the loader promises (type, size, range) is a bug: P2P_FUZZ_FAIL reports it.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <opencv2/core.hpp>

#include "core/common/error.h"
#include "core/data/paired_dataset.h"
#include "core/data/tensor_image.h"
#include "core/io/image_io.h"
#include "core/labels/palette.h"

#ifndef P2P_FUZZ_FAIL
#define P2P_FUZZ_FAIL(what)                                 \
    do {                                                    \
        std::fprintf(stderr, "broken promise: %s\n", what); \
        __builtin_trap();                                   \
    } while (0)
#endif

namespace p2p::fuzz {

inline void expect(bool ok, const char* what) {
    if (!ok) P2P_FUZZ_FAIL(what);
}

// Keeps one decode of a large (but allowed) image from turning every later step into a timeout.
constexpr int64_t kMaxTransformPixels = int64_t{1} << 22;
// A few hundred bytes of JPEG can claim 15000x12000 within the loader's limits (kMaxImagePixels): libjpeg
// then clears a gigabyte of coefficients, slowly but correctly (found as a libFuzzer timeout, kept as
// corpus/image/timeout-progressive-jpeg-179-megapixels). Such inputs get the header checks only, so the
// fuzzer spends its time on parsing instead of on memset.
constexpr int64_t kMaxDecodePixels = int64_t{1} << 24;

inline void transformAndNormalise(const cv::Mat& image) {
    if (int64_t(image.total()) > kMaxTransformPixels) return;
    for (Preprocess mode : {Preprocess::ResizeAndCrop, Preprocess::Crop, Preprocess::ScaleWidth,
                            Preprocess::ScaleWidthAndCrop, Preprocess::None}) {
        TransformOptions options;
        options.preprocess = mode;
        options.load_size = 36;
        options.crop_size = 32;
        options.size_multiple = 16;
        const TransformParams params = drawTransformParams(options, image.size(), image.total());
        const cv::Mat out = applyTransform(image, options, params);
        expect(out.type() == CV_8UC3 && !out.empty(), "applyTransform returns BGR CV_8UC3");
        const torch::Tensor t = imageToTensor(out);
        expect(t.dim() == 4 && t.size(1) == 3 && t.size(2) == out.rows && t.size(3) == out.cols,
               "imageToTensor returns 1x3xHxW");
        expect(t.min().item<float>() >= -1.0f && t.max().item<float>() <= 1.0f, "values lie in [-1, 1]");
    }
}

// `scratch` is a file the loader reads the bytes from (it reads by path, as the dataset and the studio do).
inline void imageLoaderOneInput(const uint8_t* data, size_t size, const std::string& scratch) {
    const std::vector<uint8_t> bytes(data, data + size);
    try {
        const ImageHeader h = parseImageHeader(bytes, "fuzz");
        expect(h.size.width > 0 && h.size.height > 0 && h.size.width <= kMaxImageSide &&
                   h.size.height <= kMaxImageSide,
               "parseImageHeader accepts only sizes within the limits");
    } catch (const Error&) {
    }

    FILE* f = std::fopen(scratch.c_str(), "wb");
    if (!f) return;
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);

    cv::Size headerSize;
    try {
        headerSize = readImageHeader(scratch).size;
    } catch (const Error&) {
    }
    if (int64_t(headerSize.width) * headerSize.height > kMaxDecodePixels) return;
    try {
        const LoadedImage loaded = loadImage(scratch);
        expect(loaded.bgr.type() == CV_8UC3, "loadImage returns CV_8UC3");
        expect(loaded.bgr.size() == loaded.header.size && loaded.bgr.size() == headerSize,
               "the decoded size is the header's");
        transformAndNormalise(loaded.bgr);
        if (loaded.bgr.cols >= 2) {  // the aligned A|B split of the training loader
            const PairEntry entry{scratch, scratch, "fuzz"};
            const ImagePair pair = loadPair(entry, DatasetLayout::Aligned, Direction::BtoA);
            expect(pair.input.type() == CV_8UC3 && pair.target.type() == CV_8UC3, "loadPair returns CV_8UC3");
            expect(pair.input.cols + pair.target.cols == loaded.bgr.cols, "the halves make the whole");
        }
    } catch (const Error&) {
    }
    try {  // the studio's label-map reader (palette PNGs, grey class ids, colours snapped to classes)
        const LabelMap map = loadLabelMap(scratch);
        expect(map.ids.type() == CV_8UC1 && !map.ids.empty(), "loadLabelMap returns CV_8UC1 ids");
    } catch (const Error&) {
    }
}

}  // namespace p2p::fuzz
