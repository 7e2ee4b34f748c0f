#include "attention/parabolic_memory.hpp"

#include <algorithm>

#include "error.hpp"

namespace attnlab {

void ParabolicMemory::write(int value) {
    const long j = static_cast<long>(values_.size());
    if (j >= 90000000L) throw Error("parabolic memory: at most 9 * 10^7 positions (beyond, 2ij - j^2 is not exact in doubles)");
    index_.insert(key_x(j), key_y(j), static_cast<int>(j));
    values_.push_back(value);
}

ParabolicMemory::Read ParabolicMemory::read(long position) const {
    const int j = index_.argmax(static_cast<double>(position), 1.0);
    if (j < 0) return {-1, 0};
    return {j, values_[static_cast<std::size_t>(j)]};
}

ParabolicMemory::Read ParabolicMemory::read_by_scan(long position, long keys) const {
    const double qx = static_cast<double>(position);
    const long n = keys < 0 ? static_cast<long>(values_.size()) : std::min(keys, static_cast<long>(values_.size()));
    long best = -1;
    double best_value = 0;
    for (long j = 0; j < n; ++j) {
        const double v = qx * key_x(j) + key_y(j);
        if (best < 0 || v >= best_value) {
            best = j;
            best_value = v;
        }
    }
    if (best < 0) return {-1, 0};
    return {best, values_[static_cast<std::size_t>(best)]};
}

}  // namespace attnlab
