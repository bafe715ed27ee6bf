#pragma once

// Portable random numbers for data order and jitter. std::uniform_int_distribution and std::shuffle differ
// between standard libraries, so exact resume (and the same run on another machine) needs our own.

#include <cstdint>
#include <random>
#include <vector>

namespace p2p::detail {

// splitmix64's finaliser: a good 64-bit mix, used to derive independent seeds from (seed, epoch, index).
inline uint64_t mix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

inline uint64_t deriveSeed(uint64_t seed, uint64_t a, uint64_t b = 0) {
    return mix64(mix64(mix64(seed) ^ a) ^ b);
}

// Uniform in [0, n) without modulo bias.
inline uint64_t uniformBelow(std::mt19937_64& rng, uint64_t n) {
    if (n <= 1) return 0;
    const uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t v;
    do v = rng();
    while (v >= limit);
    return v % n;
}

// Fisher-Yates written out, so the permutation is the same with every standard library.
inline std::vector<size_t> permutation(size_t n, uint64_t seed) {
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::mt19937_64 rng(seed);
    for (size_t i = n; i > 1; --i) {
        const size_t j = static_cast<size_t>(uniformBelow(rng, i));
        std::swap(order[i - 1], order[j]);
    }
    return order;
}

}  // namespace p2p::detail
