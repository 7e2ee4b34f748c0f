// Small statistics helpers shared by the analyses: quantiles and means that skip NaN.
#pragma once
#include <vector>

namespace attnlab {

struct Quartiles {
    double q1, median, q3;
};

// Linear-interpolated quartiles of the finite values (NaN when there are none). Reorders `values`.
Quartiles quartiles(std::vector<double>& values);

// Running mean that ignores NaN; mean() is NaN when nothing was added.
class Mean {
public:
    void add(double v) {
        if (v == v) {
            sum_ += v;
            ++n_;
        }
    }
    double mean() const;
    long count() const { return n_; }

private:
    double sum_ = 0;
    long n_ = 0;
};

}  // namespace attnlab
