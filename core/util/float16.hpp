// IEEE 754 binary16 (F16) and bfloat16 (BF16) conversions to and from float.
// Narrowing rounds to nearest, ties to even; NaN stays NaN; overflow gives infinity.
#pragma once
#include <cstddef>
#include <cstdint>

namespace attnlab {

float f16_to_float(std::uint16_t bits);
// n F16 values to float (branch-free, so the compiler vectorises it); the same results as f16_to_float.
void f16_to_float_n(const std::uint16_t* in, std::size_t n, float* out);
float bf16_to_float(std::uint16_t bits);
std::uint16_t float_to_f16(float value);
std::uint16_t float_to_bf16(float value);

}  // namespace attnlab
