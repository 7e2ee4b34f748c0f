#include "util/float16.hpp"

#include <cstring>

namespace attnlab {
namespace {

std::uint32_t float_bits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

float bits_float(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

}  // namespace

float f16_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu;
    const std::uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0) {
        // zero or subnormal: mantissa * 2^-24, exact in float
        const float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) return bits_float(sign | 0x7f800000u | (mantissa << 13));
    return bits_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

void f16_to_float_n(const std::uint16_t* in, std::size_t n, float* out) {
    // Branch-free (the select a mask), so the compiler vectorises it: the magnitude's bits moved up 13 places read as a float 2^112 too
    // small, for normal and subnormal halves alike (the multiply is exact); infinity and NaN keep an all-ones exponent.
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t h = in[i];
        const std::uint32_t em = h & 0x7fffu;
        const std::uint32_t scaled = float_bits(bits_float(em << 13) * 0x1p112f);
        const std::uint32_t special = 0u - static_cast<std::uint32_t>(em >= 0x7c00u);  // all ones for infinity and NaN
        const std::uint32_t bits = (scaled & ~special) | (((em << 13) | 0x7f800000u) & special);
        out[i] = bits_float(bits | ((h & 0x8000u) << 16));
    }
}

float bf16_to_float(std::uint16_t bits) { return bits_float(static_cast<std::uint32_t>(bits) << 16); }

std::uint16_t float_to_bf16(float value) {
    std::uint32_t u = float_bits(value);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);  // quiet NaN
    const std::uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
    return static_cast<std::uint16_t>((u + rounding) >> 16);
}

std::uint16_t float_to_f16(float value) {
    const std::uint32_t u = float_bits(value);
    const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
    const std::uint32_t abs = u & 0x7fffffffu;
    if (abs > 0x7f800000u) return sign | 0x7e00u;          // NaN
    if (abs >= 0x477ff000u) return sign | 0x7c00u;         // rounds past 65504: infinity
    if (abs < 0x38800000u) {
        // below the smallest normal half (2^-14): subnormal, in units of 2^-24, round half to even
        const float scaled = bits_float(abs) * 16777216.0f;  // exact: power-of-two scaling
        std::uint32_t q = static_cast<std::uint32_t>(scaled);
        const float rest = scaled - static_cast<float>(q);
        if (rest > 0.5f || (rest == 0.5f && (q & 1u))) ++q;
        return sign | static_cast<std::uint16_t>(q);
    }
    // normal: rebias exponent 127 -> 15 and round the 13 dropped mantissa bits to nearest even
    std::uint32_t r = abs - 0x38000000u;
    r += 0x0fffu + ((r >> 13) & 1u);
    return sign | static_cast<std::uint16_t>(r >> 13);
}

}  // namespace attnlab
