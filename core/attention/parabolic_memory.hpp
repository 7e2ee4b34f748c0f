// Hard-max attention as exact memory lookup (docs/science.md section 6): a 2-D hard-max head that, at step j,
// writes value v_j under the key k_j = (2j, -j^2), and reads position i with the query q = (i, 1). Then
// q . k_j = 2ij - j^2 = i^2 - (i - j)^2, largest at j = i alone, so the head returns v_i exactly. Through the
// hull index a read costs O(log n); the linear scan, O(n), is kept as the reference it is checked against.
// Exact in doubles while n^2 < 2^53 (n up to about 9 * 10^7).
#pragma once
#include <cstddef>
#include <vector>

#include "attention/hull_index.hpp"

namespace attnlab {

class ParabolicMemory {
public:
    struct Read {
        long position;  // the key hard-max attention picked (-1: nothing written yet)
        int value;
    };
    // Stores `value` at the next position (0, 1, 2, ...).
    void write(int value);
    // Reads `position` through the hull index.
    Read read(long position) const;
    // Reads `position` by scanning the first `keys` keys (every key when negative), with the same tie rule
    // (the latest key wins): what the memory answered when it held that many.
    Read read_by_scan(long position, long keys = -1) const;
    std::size_t size() const { return values_.size(); }

    static double key_x(long j) { return 2.0 * static_cast<double>(j); }
    static double key_y(long j) { return -static_cast<double>(j) * static_cast<double>(j); }

private:
    HullIndex index_;
    std::vector<int> values_;
};

}  // namespace attnlab
