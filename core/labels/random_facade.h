#pragma once

// A plausible facade label map laid out procedurally (the studio's "Random facade"): sky, a facade with a
// cornice, floors of aligned windows with sills, some with blinds or balconies, mouldings between floors,
// pillars at the sides and a shop band with a door at street level. Torch-free; a pure function of its seed.

#include <cstdint>

#include <opencv2/core.hpp>

namespace p2p {

// CV_8UC1 class ids (1..12, the CMP ids) of the given size; colour it with labelsToColour.
cv::Mat randomFacadeLabels(cv::Size size, uint64_t seed);

}  // namespace p2p
