#include "core/labels/palette.h"

#include <cstring>
#include <limits>
#include <unordered_map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/io/image_io.h"

namespace p2p {

const std::vector<LabelClass>& cmpClasses() {
    static const std::vector<LabelClass> classes{
        {1, "background", {0, 0, 170}}, {2, "facade", {0, 0, 255}},    {3, "window", {0, 85, 255}},
        {4, "door", {0, 170, 255}},     {5, "cornice", {0, 255, 255}}, {6, "sill", {85, 255, 170}},
        {7, "balcony", {170, 255, 85}}, {8, "blind", {255, 255, 0}},   {9, "deco", {255, 170, 0}},
        {10, "molding", {255, 85, 0}},  {11, "pillar", {255, 0, 0}},   {12, "shop", {170, 0, 0}},
    };
    return classes;
}

const LabelClass& cmpClass(int id) {
    if (id < 1 || id > static_cast<int>(cmpClasses().size()))
        throw Error("label id " + std::to_string(id) + " is outside 1.." +
                    std::to_string(cmpClasses().size()));
    return cmpClasses()[static_cast<size_t>(id - 1)];
}

int cmpClassId(const std::string& name) {
    for (const auto& c : cmpClasses())
        if (c.name == name) return c.id;
    return 0;
}

cv::Mat colourToLabels(const cv::Mat& bgr) {
    if (bgr.empty() || bgr.type() != CV_8UC3) throw Error("colourToLabels expects a BGR CV_8UC3 image");
    // Squared distance to each class colour, kept as a running minimum: a dozen whole-image passes of
    // vectorised OpenCV arithmetic, exact (no quantised lookup table).
    cv::Mat planes[3];
    {
        cv::Mat wide;
        bgr.convertTo(wide, CV_32F);
        cv::split(wide, planes);
    }
    cv::Mat best(bgr.size(), CV_32F, cv::Scalar(std::numeric_limits<float>::max()));
    cv::Mat ids(bgr.size(), CV_8UC1, cv::Scalar(0));
    cv::Mat dist, diff, closer;
    for (const auto& c : cmpClasses()) {
        const cv::Vec3b col = c.bgr();
        cv::subtract(planes[0], cv::Scalar(col[0]), diff);
        cv::multiply(diff, diff, dist);
        for (int ch = 1; ch < 3; ++ch) {
            cv::subtract(planes[ch], cv::Scalar(col[ch]), diff);
            cv::accumulateSquare(diff, dist);
        }
        cv::compare(dist, best, closer, cv::CMP_LT);  // strict: ties keep the lower id
        dist.copyTo(best, closer);
        ids.setTo(cv::Scalar(c.id), closer);
    }
    return ids;
}

cv::Mat labelsToColour(const cv::Mat& ids) {
    if (ids.empty() || ids.type() != CV_8UC1) throw Error("labelsToColour expects CV_8UC1 class ids");
    double maxId = 0;
    cv::minMaxLoc(ids, nullptr, &maxId);
    if (maxId > static_cast<double>(cmpClasses().size()))
        throw Error("label id " + std::to_string(static_cast<int>(maxId)) + " is outside 0.." +
                    std::to_string(cmpClasses().size()));
    cv::Mat lut(1, 256, CV_8UC3, cv::Scalar::all(0));
    for (const auto& c : cmpClasses()) lut.at<cv::Vec3b>(0, c.id) = c.bgr();
    cv::Mat ids3, out;
    cv::cvtColor(ids, ids3, cv::COLOR_GRAY2BGR);
    cv::LUT(ids3, lut, out);
    return out;
}

cv::Mat snapToPalette(const cv::Mat& bgr) {
    return labelsToColour(colourToLabels(bgr));
}

std::vector<int64_t> classHistogram(const cv::Mat& ids) {
    if (ids.empty() || ids.type() != CV_8UC1) throw Error("classHistogram expects CV_8UC1 class ids");
    std::vector<int64_t> counts(cmpClasses().size() + 1, 0);
    for (int y = 0; y < ids.rows; ++y) {
        const uint8_t* row = ids.ptr<uint8_t>(y);
        for (int x = 0; x < ids.cols; ++x)
            if (row[x] < counts.size()) ++counts[row[x]];
    }
    return counts;
}

namespace {

// The PLTE entries (RGB) of a palette PNG, read from its chunks.
std::vector<cv::Vec3b> pngPalette(const std::vector<uint8_t>& bytes, const std::string& path) {
    size_t pos = 8;
    while (pos + 8 <= bytes.size()) {
        const uint32_t length = (uint32_t{bytes[pos]} << 24) | (uint32_t{bytes[pos + 1]} << 16) |
                                (uint32_t{bytes[pos + 2]} << 8) | bytes[pos + 3];
        const char* type = reinterpret_cast<const char*>(bytes.data() + pos + 4);
        if (length > bytes.size() - pos - 8) break;
        if (std::memcmp(type, "PLTE", 4) == 0) {
            std::vector<cv::Vec3b> palette;
            for (uint32_t i = 0; i + 2 < length; i += 3) {
                const uint8_t* p = bytes.data() + pos + 8 + i;
                palette.emplace_back(p[0], p[1], p[2]);
            }
            return palette;
        }
        if (std::memcmp(type, "IDAT", 4) == 0) break;
        pos += 12 + length;
    }
    throw Error(path + ": palette PNG without a PLTE chunk before its image data");
}

}  // namespace

LabelMap loadLabelMap(const std::string& path) {
    const ImageHeader header = readImageHeader(path);
    LabelMap map;
    const int classes = static_cast<int>(cmpClasses().size());
    if (header.format == ImageFormat::Png && header.palette && header.bit_depth <= 8) {
        // OpenCV always expands palettes, so recover each pixel's index from its colour: lossless, and exact
        // as long as the used palette entries have distinct colours.
        const std::vector<uint8_t> bytes = readFileBytes(path);
        const std::vector<cv::Vec3b> palette = pngPalette(bytes, path);
        std::unordered_map<uint32_t, int> indexOf;
        bool duplicates = false;
        for (size_t i = 0; i < palette.size(); ++i) {
            const uint32_t key =
                (uint32_t{palette[i][0]} << 16) | (uint32_t{palette[i][1]} << 8) | palette[i][2];
            duplicates = duplicates || indexOf.count(key);
            indexOf.emplace(key, static_cast<int>(i));
        }
        const cv::Mat bgr = cv::imdecode(bytes, cv::IMREAD_COLOR);
        if (bgr.empty()) throw Error(path + ": cannot decode the PNG data (corrupt or truncated)");
        cv::Mat ids(bgr.size(), CV_8UC1);
        int maxIndex = 0;
        for (int y = 0; y < bgr.rows; ++y) {
            const cv::Vec3b* in = bgr.ptr<cv::Vec3b>(y);
            uint8_t* out = ids.ptr<uint8_t>(y);
            for (int x = 0; x < bgr.cols; ++x) {
                const uint32_t key = (uint32_t{in[x][2]} << 16) | (uint32_t{in[x][1]} << 8) | in[x][0];
                const auto it = indexOf.find(key);
                const int index = it == indexOf.end() ? 255 : it->second;
                maxIndex = std::max(maxIndex, index);
                out[x] = static_cast<uint8_t>(std::min(index, 255));
            }
        }
        if (maxIndex <= classes && !duplicates) {
            map.ids = ids;
            map.from_indices = true;
            map.notes.push_back("read palette indices as class ids");
            return map;
        }
        map.ids = colourToLabels(bgr);
        map.notes.push_back(duplicates ? "palette has repeated colours: colours snapped to the CMP classes"
                                       : "palette indices above " + std::to_string(classes) +
                                             ": colours snapped to the CMP classes");
        return map;
    }
    if (header.channels == 1 && header.bit_depth == 8) {
        const cv::Mat grey = cv::imdecode(readFileBytes(path), cv::IMREAD_GRAYSCALE);
        if (grey.empty()) throw Error(path + ": cannot decode the image data (corrupt or truncated)");
        double maxValue = 0;
        cv::minMaxLoc(grey, nullptr, &maxValue);
        if (maxValue <= classes) {
            map.ids = grey;
            map.from_indices = true;
            map.notes.push_back("read grey values as class ids");
            return map;
        }
    }
    LoadedImage image = loadImage(path);
    map.ids = colourToLabels(image.bgr);
    map.notes = std::move(image.notes);
    map.notes.push_back("colours snapped to the nearest CMP class");
    return map;
}

}  // namespace p2p
