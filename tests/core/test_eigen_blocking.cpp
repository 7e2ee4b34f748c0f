#include <doctest/doctest.h>

#include <Eigen/Core>

#include "util/eigen_blocking.hpp"
#include "util/rng.hpp"

using namespace attnlab;

namespace {

// A product deep enough (K = 700) that Eigen blocks its depth, computed after the CPU "reported" an L1 of
// `l1` bytes (Eigen::setCpuCacheSizes stands in for cpuid), and after fix_eigen_blocking when `fixed`.
Eigen::MatrixXf product_on_cpu_with_l1(long l1, bool fixed) {
    Rng rng(7);
    Eigen::MatrixXf a(64, 700), b(700, 96);
    for (int j = 0; j < a.cols(); ++j) for (int i = 0; i < a.rows(); ++i) a(i, j) = static_cast<float>(rng.normal());
    for (int j = 0; j < b.cols(); ++j) for (int i = 0; i < b.rows(); ++i) b(i, j) = static_cast<float>(rng.normal());
    Eigen::setCpuCacheSizes(l1, 1024 * 1024, 32 * 1024 * 1024);
    if (fixed) fix_eigen_blocking();
    Eigen::MatrixXf c = a * b;
    fix_eigen_blocking();  // the blocking every other test computes with
    return c;
}

}  // namespace

TEST_CASE("Eigen's products follow the L1 size the CPU reports: 32 KiB and 48 KiB give other last bits") {
    // the hazard fix_eigen_blocking removes, shown on this build's kernel
    CHECK_FALSE(product_on_cpu_with_l1(32 * 1024, false) == product_on_cpu_with_l1(48 * 1024, false));
}

TEST_CASE("after fix_eigen_blocking a product is the same bits whatever cache sizes the CPU reports") {
    const Eigen::MatrixXf on_32k = product_on_cpu_with_l1(32 * 1024, true);
    CHECK(product_on_cpu_with_l1(48 * 1024, true) == on_32k);
    CHECK(product_on_cpu_with_l1(1024 * 1024, true) == on_32k);
}
