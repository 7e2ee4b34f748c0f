// IEEE 754 binary16 (F16) and bfloat16 (BF16) conversions to and from float.
// Narrowing rounds to nearest, ties to even; NaN stays NaN; overflow gives infinity.
#pragma once
#include <cstdint>

namespace attnlab {

float f16_to_float(std::uint16_t bits);
float bf16_to_float(std::uint16_t bits);
std::uint16_t float_to_f16(float value);
std::uint16_t float_to_bf16(float value);

}  // namespace attnlab
