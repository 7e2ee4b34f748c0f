#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "util/gemm.hpp"
#include "util/rng.hpp"

using namespace attnlab;

namespace {

// A row-major matrix inside a wider buffer (row stride ld > cols), so strides are exercised too.
struct Strided {
    int rows, cols, ld;
    std::vector<float> data;
    Strided(int r, int c, int pad, float fill) : rows(r), cols(c), ld(c + pad), data(static_cast<size_t>(r) * (c + pad), fill) {}
    float& at(int i, int j) { return data[static_cast<size_t>(i) * ld + j]; }
    float at(int i, int j) const { return data[static_cast<size_t>(i) * ld + j]; }
    const float* ptr(int i, int j) const { return data.data() + static_cast<size_t>(i) * ld + j; }
};

Strided random_matrix(int rows, int cols, Rng& rng) {
    Strided m(rows, cols, 5, 0.0f);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) m.at(i, j) = static_cast<float>(rng.normal());
    return m;
}

// Checks C against the product in double, entry by entry, within float rounding of a length-K sum:
// |error| <= 2 K u sum_k |a_ik b_kj| (u = 2^-24: twice the classic bound of a length-K float sum), and that the
// padding beside C is untouched.
void check_product(int M, int N, int K, BLayout layout) {
    Rng rng(1234 + M * 7 + N * 13 + K);
    const Strided A = random_matrix(M, K, rng);
    const Strided B = layout == BLayout::KxN ? random_matrix(K, N, rng) : random_matrix(N, K, rng);
    const float sentinel = -12345.0f;
    Strided C(M, N, 3, sentinel);
    gemm_f32(M, N, K, A.data.data(), A.ld, B.data.data(), B.ld, layout, C.data.data(), C.ld);
    for (int i = 0; i < M; ++i) {
        for (int j = 0; j < N; ++j) {
            double exact = 0.0, magnitude = 0.0;
            for (int k = 0; k < K; ++k) {
                const double b = layout == BLayout::KxN ? B.at(k, j) : B.at(j, k);
                exact += static_cast<double>(A.at(i, k)) * b;
                magnitude += std::fabs(static_cast<double>(A.at(i, k)) * b);
            }
            REQUIRE(std::fabs(C.at(i, j) - exact) <= 2.0 * K * 0x1p-24 * magnitude);
        }
        for (int j = N; j < C.ld; ++j) REQUIRE(C.at(i, j) == sentinel);
    }
}

}  // namespace

TEST_CASE("gemm_f32 with B as K x N equals the product in double, with every tail of rows, columns and depth") {
    // M = 7: two 3-row blocks and a row; N = 29: two 12-column panels and 5; K = 600: depth blocks 256, 256, 88;
    // K = 7: a depth that B's 4 x 4 transposes (N x K) do not divide
    for (const int M : {1, 2, 3, 7, 128})
        for (const int N : {1, 5, 12, 29})
            for (const int K : {1, 4, 7, 256, 600}) check_product(M, N, K, BLayout::KxN);
}

TEST_CASE("gemm_f32 with B as N x K (its transpose multiplied) equals the product in double") {
    for (const int M : {1, 2, 3, 7, 128})
        for (const int N : {1, 5, 12, 29})
            for (const int K : {1, 4, 7, 256, 600}) check_product(M, N, K, BLayout::NxK);
}

TEST_CASE("gemm_f32 with no depth writes zeros, and with no rows or columns writes nothing") {
    std::vector<float> A(12, 1.0f), B(12, 1.0f), C(12, 7.0f);
    gemm_f32(3, 4, 0, A.data(), 1, B.data(), 4, BLayout::KxN, C.data(), 4);
    for (const float c : C) CHECK(c == 0.0f);
    std::fill(C.begin(), C.end(), 7.0f);
    gemm_f32(0, 4, 3, A.data(), 3, B.data(), 4, BLayout::KxN, C.data(), 4);
    gemm_f32(3, 0, 3, A.data(), 3, B.data(), 4, BLayout::KxN, C.data(), 4);
    for (const float c : C) CHECK(c == 7.0f);
}

TEST_CASE("gemm_f32 gives the same bits whichever blocks of C's rows and columns a caller computes it in") {
    // the page's threads each compute a block of columns (core/model/layers.cpp): the split must not move a bit
    const int M = 10, N = 50, K = 700;
    Rng rng(99);
    const Strided A = random_matrix(M, K, rng), B = random_matrix(K, N, rng);
    Strided whole(M, N, 0, 0.0f), pieces(M, N, 0, 0.0f);
    gemm_f32(M, N, K, A.data.data(), A.ld, B.data.data(), B.ld, BLayout::KxN, whole.data.data(), whole.ld);
    const int row_splits[] = {0, 4, 5, M}, col_splits[] = {0, 7, 31, 32, N};
    for (int r = 0; r + 1 < 4; ++r)
        for (int c = 0; c + 1 < 5; ++c) {
            const int i0 = row_splits[r], j0 = col_splits[c];
            gemm_f32(row_splits[r + 1] - i0, col_splits[c + 1] - j0, K, A.ptr(i0, 0), A.ld, B.ptr(0, j0), B.ld,
                     BLayout::KxN, &pieces.at(i0, j0), pieces.ld);
        }
    CHECK(pieces.data == whole.data);
}
