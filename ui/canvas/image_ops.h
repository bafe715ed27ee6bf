#pragma once

// Pixel operations on a canvas (cv::Mat CV_8UC3 BGR). No antialiasing anywhere: every pixel a tool touches
// gets exactly the tool's colour, so a label map stays one class per pixel. Each operation returns the
// rectangle it may have changed (clipped to the image; empty when nothing changed).

#include <vector>

#include <opencv2/core.hpp>

namespace p2p::ui {

// The brush footprint for a diameter of `size` pixels (>= 1): a CV_8UC1 mask of size x size, 255 inside.
// Pixel (x, y) is inside when its centre lies within size/2 of the footprint's centre, so odd sizes are
// centred on a pixel and even sizes on a pixel corner. `anchor` is the mask pixel that sits on the point.
cv::Mat brushMask(int size);
cv::Point brushAnchor(int size);

// The next brush diameter for the `[`/`]` keys (direction +1 or -1) from a fixed table (1-8 by one, then
// steps that grow by about a quarter, up to 128), so that one step up then one down returns to the start.
// Sizes between table entries step to the neighbouring entry; the ends stay put.
int nextBrushSize(int size, int direction);

// Stamps the brush at every pixel of the 8-connected line from `from` to `to` (both ends included).
cv::Rect drawStroke(cv::Mat& image, cv::Point from, cv::Point to, int size, const cv::Vec3b& colour);

// Fills the rectangle spanned by two corner pixels (both included, any order).
cv::Rect fillRectangle(cv::Mat& image, cv::Point corner1, cv::Point corner2, const cv::Vec3b& colour);

enum class BoxShape { Rectangle, Ellipse };

// The rectangle or ellipse inscribed in the box spanned by two corner pixels (both included, any order).
// outline <= 0 fills the shape; otherwise only its outer `outline` pixels are painted, inside the box (as
// paint programs draw a framed shape), so the outline always closes: a fill inside does not leak out.
cv::Rect drawBoxShape(cv::Mat& image, cv::Point corner1, cv::Point corner2, BoxShape shape, int outline,
                      const cv::Vec3b& colour);

// A closed polygon through `points` (image pixels, any order of winding), filled with cv::fillPoly
// (LINE_8, no antialiasing); its edges are painted too, so every clicked corner and edge pixel is inside.
cv::Rect fillPolygon(cv::Mat& image, const std::vector<cv::Point>& points, const cv::Vec3b& colour);
// The polygon's edges (and the closing edge when `closed`) stroked with the brush of diameter `size`.
cv::Rect strokePolygon(cv::Mat& image, const std::vector<cv::Point>& points, int size,
                       const cv::Vec3b& colour, bool closed);

// Shift-drag constraints from `anchor`: the corner that makes the box a square (the larger side wins), and
// the end point snapped to the nearest multiple of 45 degrees.
cv::Point squareCorner(cv::Point anchor, cv::Point corner);
cv::Point snapTo45Degrees(cv::Point anchor, cv::Point end);

// cv::floodFill from `seed` with 4-connectivity and zero tolerance: the 4-connected region of pixels whose
// colour equals the seed's exactly. Returns an empty rect when the seed is outside or already `colour`.
cv::Rect floodFill(cv::Mat& image, cv::Point seed, const cv::Vec3b& colour);

// The colour under `point` (clamped into the image). The image must not be empty.
cv::Vec3b pickColour(const cv::Mat& image, cv::Point point);

// A size x size canvas of `fill` with a `border`-pixel frame of `borderColour` (the facades demo's
// starting point: all facade, background around it). border <= 0 gives a plain canvas.
cv::Mat borderedCanvas(cv::Size size, const cv::Vec3b& fill, const cv::Vec3b& borderColour, int border);

// The rectangle spanned by two points (both included), clipped to `bounds`.
cv::Rect spanRect(cv::Point a, cv::Point b, const cv::Size& bounds);

}  // namespace p2p::ui
