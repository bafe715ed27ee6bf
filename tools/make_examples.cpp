// Makes the studio's starter examples (resources/examples, offered in File ▸ Examples): three random facades
// with fixed seeds from core's randomFacadeLabels, in the canvas's CMP colours, and two sketches made with
// core's photoToEdges from facades test photos (the photo half, at the thresholds the embedded edges model
// was trained with: blur 5, low 80, high 200; see models/MODEL_CARD.md). Deterministic: rerunning it rewrites
// the same files. Not part of the build; from a configured build folder:
//
//   g++ -std=c++17 -O2 -I. $(pkg-config --cflags opencv4) tools/make_examples.cpp \
//       build/core/libp2p_core.a $(pkg-config --libs opencv4) -o /tmp/make_examples
//   /tmp/make_examples ../shared/data/facades/test resources/examples

#include <cstdio>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/edges/edges.h"
#include "core/labels/palette.h"
#include "core/labels/random_facade.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s FACADES_TEST_DIR OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    const std::string photos = argv[1], out = argv[2];
    struct Facade {
        const char* file;
        cv::Size size;
        uint64_t seed;
    };
    for (const Facade& f :
         {Facade{"labels-townhouse.png", {256, 256}, 17}, Facade{"labels-apartments.png", {256, 256}, 42},
          Facade{"labels-terrace.png", {512, 256}, 2024}}) {
        const cv::Mat colour = p2p::labelsToColour(p2p::randomFacadeLabels(f.size, f.seed));
        if (!cv::imwrite(out + "/" + f.file, colour)) return 1;
    }
    struct Sketch {
        const char* file;
        const char* photo;
    };
    p2p::EdgeOptions edges;
    edges.blur = 5;
    edges.low = 80;
    edges.high = 200;
    for (const Sketch& s : {Sketch{"sketch-arches.png", "30.jpg"}, Sketch{"sketch-balconies.png", "6.jpg"}}) {
        const cv::Mat pair = cv::imread(photos + "/" + s.photo, cv::IMREAD_COLOR);
        if (pair.empty()) return 1;
        const cv::Mat photo = pair(cv::Rect(0, 0, pair.cols / 2, pair.rows));  // photo | labels
        cv::Mat sketch;
        cv::cvtColor(p2p::photoToEdges(photo, edges), sketch, cv::COLOR_BGR2GRAY);
        if (!cv::imwrite(out + "/" + s.file, sketch)) return 1;  // grey: a third of the bytes
    }
    return 0;
}
