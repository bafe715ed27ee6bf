#include "core/labels/random_facade.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <opencv2/imgproc.hpp>

#include "core/labels/palette.h"

namespace p2p {

namespace {

enum Class : uint8_t {
    Background = 1, Facade, Window, Door, Cornice, Sill, Balcony, Blind, Deco, Molding, Pillar, Shop
};

class Dice {
public:
    explicit Dice(uint64_t seed) : rng_(seed) {}
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, std::max(lo, hi))(rng_); }
    double fraction(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

private:
    std::mt19937_64 rng_;
};

void fill(cv::Mat& ids, cv::Rect r, Class c) {
    r &= cv::Rect(0, 0, ids.cols, ids.rows);
    if (r.area() > 0) ids(r).setTo(c);
}

}  // namespace

cv::Mat randomFacadeLabels(cv::Size size, uint64_t seed) {
    Dice dice(seed);
    const int w = std::max(size.width, 16), h = std::max(size.height, 16);
    cv::Mat ids(h, w, CV_8UC1, cv::Scalar(Background));

    // The building: sky above, sometimes a neighbour's edge at one side.
    const int top = int(h * dice.fraction(0.0, 0.12));
    const int left = dice.chance(0.3) ? int(w * dice.fraction(0.0, 0.06)) : 0;
    const int right = w - (dice.chance(0.3) ? int(w * dice.fraction(0.0, 0.06)) : 0);
    const cv::Rect building(left, top, right - left, h - top);
    fill(ids, building, Facade);

    const int corniceHeight = std::max(2, int(h * dice.fraction(0.02, 0.045)));
    fill(ids, {left, top, right - left, corniceHeight}, Cornice);

    const bool pillars = dice.chance(0.5);
    const int pillarWidth = std::max(2, int(w * dice.fraction(0.025, 0.045)));
    if (pillars) {
        fill(ids, {left, top + corniceHeight, pillarWidth, h}, Pillar);
        fill(ids, {right - pillarWidth, top + corniceHeight, pillarWidth, h}, Pillar);
    }
    const int innerLeft = left + (pillars ? pillarWidth : 0), innerRight = right - (pillars ? pillarWidth : 0);

    // Street level: a shop band with display windows and a door.
    const int shopTop = h - int(h * dice.fraction(0.14, 0.22));
    fill(ids, {innerLeft, shopTop, innerRight - innerLeft, h - shopTop}, Shop);
    const int doorWidth = std::max(4, int(w * dice.fraction(0.08, 0.13)));
    const int doorX = innerLeft + dice.between(0, std::max(0, innerRight - innerLeft - doorWidth));
    const int doorTop = shopTop + int((h - shopTop) * dice.fraction(0.12, 0.25));
    fill(ids, {doorX, doorTop, doorWidth, h - doorTop}, Door);
    fill(ids, {innerLeft, shopTop - std::max(2, h / 100), innerRight - innerLeft, std::max(2, h / 100)}, Molding);

    // Floors between the cornice and the shop band, each with the same column grid of windows.
    const int floorsTop = top + corniceHeight + std::max(2, int(h * 0.02));
    const int floors = std::clamp(dice.between(3, 6), 1, std::max(1, (shopTop - floorsTop) / 12));
    const int floorHeight = (shopTop - floorsTop) / floors;
    // Bays about as wide as a floor is high, whatever the canvas's aspect.
    const int columns = std::clamp(int(std::lround(double(innerRight - innerLeft) / floorHeight * dice.fraction(0.8, 1.2))),
                                   2, std::max(2, (innerRight - innerLeft) / 10));
    const int bay = (innerRight - innerLeft) / columns;
    const double windowWidthShare = dice.fraction(0.4, 0.6), windowHeightShare = dice.fraction(0.5, 0.65);
    const bool blinds = dice.chance(0.4), decoAbove = dice.chance(0.35);
    const int balconyFloor = dice.chance(0.6) ? dice.between(0, floors - 1) : -1;
    for (int f = 0; f < floors; ++f) {
        const int y0 = floorsTop + f * floorHeight;
        if (f > 0) fill(ids, {innerLeft, y0 - 1, innerRight - innerLeft, std::max(1, h / 150)}, Molding);
        const int winH = std::max(3, int(floorHeight * windowHeightShare));
        const int winY = y0 + (floorHeight - winH) / 2;
        for (int c = 0; c < columns; ++c) {
            const int winW = std::max(3, int(bay * windowWidthShare));
            const int winX = innerLeft + c * bay + (bay - winW) / 2;
            fill(ids, {winX, winY, winW, winH}, Window);
            if (blinds && dice.chance(0.5)) fill(ids, {winX, winY, winW, int(winH * dice.fraction(0.2, 0.5))}, Blind);
            fill(ids, {winX - winW / 10, winY + winH, winW + winW / 5, std::max(2, winH / 10)}, Sill);
            if (decoAbove) fill(ids, {winX, winY - std::max(2, winH / 6) - 1, winW, std::max(2, winH / 6)}, Deco);
        }
        if (f == balconyFloor) {  // a balcony across the floor's lower third, over the windows
            const int by = winY + winH - winH / 3;
            fill(ids, {innerLeft + bay / 8, by, innerRight - innerLeft - bay / 4, winH / 3 + std::max(2, winH / 10)},
                 Balcony);
        }
    }
    return ids;
}

}  // namespace p2p
