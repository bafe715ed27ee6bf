#include "core/data/direction_guess.h"

#include <algorithm>
#include <map>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace p2p {

std::string toString(ImageKind kind) {
    switch (kind) {
        case ImageKind::Photo: return "a photo";
        case ImageKind::LabelMap: return "a label map";
        case ImageKind::Sketch: return "an edge sketch";
    }
    return "a photo";
}

ImageKindMeasures measureImageKind(const cv::Mat& bgrIn) {
    ImageKindMeasures m;
    if (bgrIn.empty()) return m;
    // Strokes are measured at full size: shrinking or filtering would wash out a 1-pixel line.
    cv::Mat fullGrey;
    cv::cvtColor(bgrIn, fullGrey, cv::COLOR_BGR2GRAY);
    const double fullN = double(fullGrey.total());
    m.white_fraction = cv::countNonZero(fullGrey > 200) / fullN;
    m.dark_fraction = cv::countNonZero(fullGrey < 100) / fullN;

    // Regions at most 256 px on the long side, where JPEG noise averages out.
    cv::Mat bgr = bgrIn;
    const double scale = 256.0 / std::max(bgrIn.cols, bgrIn.rows);
    if (scale < 1) cv::resize(bgrIn, bgr, cv::Size(), scale, scale, cv::INTER_AREA);
    // JPEG rings around every edge of a label map; a median filter removes that and keeps the regions.
    cv::medianBlur(bgr, bgr, 5);
    const double n = double(bgr.total());
    cv::Mat grey, dx, dy, magnitude;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    cv::Sobel(grey, dx, CV_32F, 1, 0);
    cv::Sobel(grey, dy, CV_32F, 0, 1);
    cv::magnitude(dx, dy, magnitude);
    m.flat_fraction = cv::countNonZero(magnitude < 24.0f) / n;  // JPEG ringing on a flat region stays below this
    cv::Mat hsv;
    cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV);
    std::vector<cv::Mat> channels;
    cv::split(hsv, channels);
    m.mean_saturation = cv::mean(channels[1])[0];
    return m;
}

ImageKind classifyImage(const cv::Mat& bgr) {
    const ImageKindMeasures m = measureImageKind(bgr);
    // Mostly white paper with thin dark strokes, and almost no colour.
    if (m.white_fraction > 0.6 && m.dark_fraction > 0.002 && m.dark_fraction < 0.35 && m.mean_saturation < 40)
        return ImageKind::Sketch;
    // Region fills: vivid class colours (the facades labels average a saturation above 200, its photos below
    // 120), or any colours when the image is almost entirely flat (a grey id map).
    if ((m.mean_saturation > 160 && m.flat_fraction > 0.4) || m.flat_fraction > 0.9) return ImageKind::LabelMap;
    return ImageKind::Photo;
}

DirectionGuess guessDirection(const DatasetScan& scan, const std::string& split, int samples) {
    DirectionGuess guess;
    const auto& pairs = scan.split(split);
    if (pairs.empty() || samples <= 0) {
        guess.reason = "no pairs to look at";
        return guess;
    }
    const size_t count = std::min<size_t>(pairs.size(), size_t(samples));
    std::map<std::pair<ImageKind, ImageKind>, int> votes;
    int looked = 0;
    for (size_t i = 0; i < count; ++i) {
        const PairEntry& entry = pairs[i * pairs.size() / count];
        try {
            const ImagePair pair = loadPair(entry, scan.layout, Direction::AtoB);  // input = A
            ++votes[{classifyImage(pair.input), classifyImage(pair.target)}];
            ++looked;
        } catch (const std::exception&) {
            // an unreadable pair says nothing about the others
        }
    }
    if (looked == 0) {
        guess.reason = "none of the sampled pairs could be read";
        return guess;
    }
    const auto best = std::max_element(votes.begin(), votes.end(),
                                       [](const auto& x, const auto& y) { return x.second < y.second; });
    guess.a = best->first.first;
    guess.b = best->first.second;
    const std::string tally = " (" + std::to_string(best->second) + " of " + std::to_string(looked) + " pairs)";
    const bool aDrawn = guess.a != ImageKind::Photo, bDrawn = guess.b != ImageKind::Photo;
    // Most pairs must agree: a split vote is no basis for a default.
    if (aDrawn != bDrawn && best->second * 3 >= looked * 2) {
        guess.direction = aDrawn ? Direction::AtoB : Direction::BtoA;
        const std::string drawn = aDrawn ? "A" : "B", photo = aDrawn ? "B" : "A";
        guess.reason = drawn + " looks like " + toString(aDrawn ? guess.a : guess.b) + " and " + photo +
                       " like a photo" + tally + ": " + toString(*guess.direction) + " makes photos";
    } else if (aDrawn == bDrawn) {
        guess.reason = "both halves look like " + toString(guess.a) + tally + ": choose the direction yourself";
    } else {
        guess.reason = "the sampled pairs disagree on which half is the drawing: choose the direction yourself";
    }
    return guess;
}

}  // namespace p2p
