// Shared test helpers: reading repository files, and comparing arrays with a report of the worst entry.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "tensor.hpp"

namespace attnlab::test {

inline std::string read_repo_file(const std::string& relative) {
    std::ifstream in(std::string(ATTNLAB_SOURCE_DIR) + "/" + relative, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << relative);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A string's bytes as the loaders take them (the string must outlive the view).
inline ByteView view(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

inline SharedBytes bytes_of(std::string s) { return share_bytes(std::make_shared<const std::string>(std::move(s))); }

inline SharedBytes bytes_of(const std::vector<std::uint8_t>& v) {
    return bytes_of(std::string(v.begin(), v.end()));
}

// Max |a - b| / max(|b|, floor) over all entries; reports the first entry past `tolerance`.
template <class A, class B>
void check_close(const A& a, const B& b, double tolerance, double floor = 1e-6) {
    REQUIRE(a.rows() == b.rows());
    REQUIRE(a.cols() == b.cols());
    double worst = 0;
    Eigen::Index bad_r = -1, bad_c = -1;
    for (Eigen::Index r = 0; r < a.rows(); ++r)
        for (Eigen::Index c = 0; c < a.cols(); ++c) {
            const double d = std::abs(double(a(r, c)) - double(b(r, c))) / std::max(std::abs(double(b(r, c))), floor);
            if (d > worst) worst = d;
            if (d > tolerance && bad_r < 0) { bad_r = r; bad_c = c; }
        }
    INFO("max relative difference " << worst);
    if (bad_r >= 0) INFO("first bad entry (" << bad_r << "," << bad_c << "): " << a(bad_r, bad_c) << " vs " << b(bad_r, bad_c));
    CHECK(worst <= tolerance);
}

}  // namespace attnlab::test
