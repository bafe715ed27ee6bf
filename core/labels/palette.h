#pragma once

// The CMP Facade label palette (Tylecek & Sara, GCPR 2013): 12 classes, ids 1-12, exactly as the palette of
// the dataset's label PNGs (index i of their PLTE is class i; index 0 is black and unused) and as the colour
// label halves of the pix2pix facades set. Torch-free.

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace p2p {

struct LabelClass {
    int id = 0;  // 1..12, the CMP label id and PNG palette index
    std::string name;
    cv::Vec3b rgb;
    cv::Vec3b bgr() const { return {rgb[2], rgb[1], rgb[0]}; }
    cv::Scalar bgrScalar() const { return cv::Scalar(rgb[2], rgb[1], rgb[0]); }
};

// background, facade, window, door, cornice, sill, balcony, blind, deco, molding, pillar, shop (ids 1..12).
const std::vector<LabelClass>& cmpClasses();
// The class with this id; throws p2p::Error for ids outside 1..12.
const LabelClass& cmpClass(int id);
// The id of the class with this name (case-sensitive), or 0.
int cmpClassId(const std::string& name);

// Nearest class colour (Euclidean in RGB; ties go to the lower id) for every pixel. BGR CV_8UC3 in and out.
cv::Mat snapToPalette(const cv::Mat& bgr);
// Nearest class id per pixel: BGR CV_8UC3 -> CV_8UC1 with values 1..12.
cv::Mat colourToLabels(const cv::Mat& bgr);
// CV_8UC1 ids -> BGR CV_8UC3 class colours; id 0 becomes black (the CMP PNGs' unused index 0). Ids above 12
// throw p2p::Error.
cv::Mat labelsToColour(const cv::Mat& ids);
// Pixels per class id (index 0..12).
std::vector<int64_t> classHistogram(const cv::Mat& ids);

struct LabelMap {
    cv::Mat ids;                // CV_8UC1, 1..12 (0 where a CMP PNG used index 0)
    bool from_indices = false;  // read from a palette PNG's indices / a grey id image, not snapped colours
    std::vector<std::string> notes;  // how it was read
};

// Reads a label map. A palette PNG whose indices are all within 0..12 (the CMP label PNGs) and an 8-bit grey
// image with values within 0..12 are read by their values as ids; anything else is read as colours and
// snapped to the nearest class. Throws p2p::Error naming the path.
LabelMap loadLabelMap(const std::string& path);

}  // namespace p2p
