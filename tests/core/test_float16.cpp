#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include <cmath>
#include <limits>

#include "util/float16.hpp"

using namespace attnlab;

TEST_SUITE("float16") {

TEST_CASE("F16 bit patterns decode to the values the IEEE 754 standard gives them") {
    CHECK(f16_to_float(0x3c00) == 1.0f);
    CHECK(f16_to_float(0xc000) == -2.0f);
    CHECK(f16_to_float(0x7bff) == 65504.0f);
    CHECK(f16_to_float(0x0400) == std::ldexp(1.0f, -14));  // smallest normal
    CHECK(f16_to_float(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
    CHECK(f16_to_float(0x3555) == 0.333251953125f);
    CHECK(std::isinf(f16_to_float(0x7c00)));
    CHECK(std::isnan(f16_to_float(0x7e00)));
    CHECK(std::signbit(f16_to_float(0x8000)));
}

TEST_CASE("BF16 is the top half of a float") {
    CHECK(bf16_to_float(0x3f80) == 1.0f);
    CHECK(bf16_to_float(0xc040) == -3.0f);
    CHECK(bf16_to_float(0x4049) == 3.140625f);
}

TEST_CASE("float to F16 rounds to nearest, ties to even, and saturates to infinity") {
    CHECK(float_to_f16(1.0f) == 0x3c00);
    CHECK(float_to_f16(65504.0f) == 0x7bff);
    CHECK(float_to_f16(65519.0f) == 0x7bff);  // below the halfway point 65520
    CHECK(float_to_f16(65520.0f) == 0x7c00);  // halfway, odd mantissa: rounds up to infinity
    CHECK(float_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);  // halfway between 1 and next: even is 1
    CHECK(float_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);  // halfway, odd below: rounds up
    CHECK(float_to_f16(std::ldexp(1.0f, -24)) == 0x0001);
    CHECK(float_to_f16(std::ldexp(1.0f, -25)) == 0x0000);  // halfway to the smallest subnormal: even is 0
    CHECK(float_to_f16(std::ldexp(3.0f, -26)) == 0x0001);  // 0.75 of it rounds up
    CHECK(float_to_f16(-0.0f) == 0x8000);
    CHECK(float_to_f16(std::numeric_limits<float>::quiet_NaN()) == 0x7e00);
}

TEST_CASE("every F16 value survives a round trip through float") {
    for (unsigned h = 0; h < 0x10000; ++h) {
        const auto bits = static_cast<std::uint16_t>(h);
        const float f = f16_to_float(bits);
        if (std::isnan(f)) continue;
        REQUIRE(float_to_f16(f) == bits);
    }
}

TEST_CASE("bulk F16 decoding gives f16_to_float's value for every bit pattern") {
    std::vector<std::uint16_t> all(0x10000);
    for (unsigned h = 0; h < 0x10000; ++h) all[h] = static_cast<std::uint16_t>(h);
    std::vector<float> out(all.size());
    f16_to_float_n(all.data(), all.size(), out.data());
    for (unsigned h = 0; h < 0x10000; ++h) {
        const float expected = f16_to_float(all[h]);
        if (std::isnan(expected)) REQUIRE(std::isnan(out[h]));
        else REQUIRE(std::memcmp(&out[h], &expected, sizeof(float)) == 0);  // bit for bit, signed zeros included
    }
}

TEST_CASE("float to BF16 rounds to nearest even") {
    CHECK(float_to_bf16(1.0f) == 0x3f80);
    CHECK(float_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3f80);      // tie, even below
    CHECK(float_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3f82);  // tie, odd below: up
    CHECK(float_to_bf16(1.0f + std::ldexp(1.0f, -7) + std::ldexp(1.0f, -9)) == 0x3f81);
}

}
