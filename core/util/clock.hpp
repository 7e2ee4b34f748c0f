// Wall-clock seconds since a moment, for timings that reports and benchmarks print.
#pragma once
#include <chrono>

namespace attnlab {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace attnlab
