#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "model/layers.hpp"
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
void check_product(int M, int N, int K, BLayout layout, GemmKernel kernel) {
    Rng rng(1234 + M * 7 + N * 13 + K);
    const Strided A = random_matrix(M, K, rng);
    const Strided B = layout == BLayout::KxN ? random_matrix(K, N, rng) : random_matrix(N, K, rng);
    const float sentinel = -12345.0f;
    Strided C(M, N, 3, sentinel);
    gemm_f32_on(kernel, M, N, K, A.data.data(), A.ld, B.data.data(), B.ld, layout, C.data.data(), C.ld);
    for (int i = 0; i < M; ++i) {
        for (int j = 0; j < N; ++j) {
            double exact = 0.0, magnitude = 0.0;
            for (int k = 0; k < K; ++k) {
                const double b = layout == BLayout::KxN ? B.at(k, j) : B.at(j, k);
                exact += static_cast<double>(A.at(i, k)) * b;
                magnitude += std::fabs(static_cast<double>(A.at(i, k)) * b);
            }
            INFO(gemm_kernel_name(kernel), " M ", M, " N ", N, " K ", K);
            REQUIRE(std::fabs(C.at(i, j) - exact) <= 2.0 * K * 0x1p-24 * magnitude);
        }
        for (int j = N; j < C.ld; ++j) REQUIRE(C.at(i, j) == sentinel);
    }
}

// The kernels this CPU runs: the 128-bit one always, AVX2 and AVX-512 where the CPU has them.
std::vector<GemmKernel> kernels() {
    std::vector<GemmKernel> out;
    for (const GemmKernel k : {GemmKernel::Vec128, GemmKernel::Avx2, GemmKernel::Avx512})
        if (gemm_kernel_available(k)) out.push_back(k);
    return out;
}

// A row-major matrix of normal draws, row by row.
MatRM random_mat(int rows, int cols, Rng& rng) {
    MatRM m(rows, cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) m(i, j) = static_cast<float>(rng.normal());
    return m;
}

// add_transposed_product(a, b) added to start, against start + a^T b in double.
void check_add_transposed_product(const MatRM& a, const MatRM& b, const MatRM& start) {
    MatRM out = start;
    add_transposed_product(a, b, out);
    const Eigen::MatrixXd want = start.cast<double>() + a.cast<double>().transpose() * b.cast<double>();
    CHECK((out.cast<double>() - want).cwiseAbs().maxCoeff() < 1e-4 * want.cwiseAbs().maxCoeff());
}

}  // namespace

TEST_CASE("gemm_f32 with B as K x N equals the product in double, with every tail of rows, columns and depth") {
    // M = 7: two 3-row blocks and a row (a tail of 7 for 12-row blocks); M = 23: a 12-row block and an 11-row tail
    // (AVX-512), five 4-row blocks and 3 (AVX2); N = 29, 40: 12-, 16- and 32-column panels and
    // their tails; N = 173: groups of 4 full panels packed in one sweep, then full ones and a tail; K = 600: depth
    // blocks 256, 256, 88; K = 7: a depth that B's transposes (N x K) do not divide
    for (const GemmKernel kernel : kernels())
        for (const int M : {1, 2, 3, 7, 23, 128})
            for (const int N : {1, 5, 12, 29, 40, 173})
                for (const int K : {1, 4, 7, 256, 600}) check_product(M, N, K, BLayout::KxN, kernel);
}

TEST_CASE("gemm_f32 with B as N x K (its transpose multiplied) equals the product in double") {
    for (const GemmKernel kernel : kernels())
        for (const int M : {1, 2, 3, 7, 128})
            for (const int N : {1, 5, 12, 29, 40})
                for (const int K : {1, 4, 7, 9, 256, 600}) check_product(M, N, K, BLayout::NxK, kernel);
}

namespace {
// Entry (i, j) of A B (+ c0 when accumulating) by gemm_f32's definition with one rounding per multiply-add
// (std::fma): a sum over k ascending in depth blocks of 256, the blocks' sums added in order (to c0 first).
float fma_definition(const Strided& A, const Strided& B, BLayout layout, int i, int j, float c0, bool accumulate) {
    float c = c0;
    for (int k0 = 0; k0 < A.cols; k0 += 256) {
        float block = 0.0f;
        for (int k = k0; k < std::min(A.cols, k0 + 256); ++k)
            block = std::fma(A.at(i, k), layout == BLayout::KxN ? B.at(k, j) : B.at(j, k), block);
        c = k0 == 0 && !accumulate ? block : c + block;
    }
    return c;
}
}  // namespace

TEST_CASE("the FMA kernels compute gemm_f32's definition exactly: each entry's sum over k ascending, in depth blocks of 256") {
    // a scalar reference of the definition with one rounding per multiply-add (std::fma); AVX2's 256-bit and
    // AVX-512's 512-bit kernels must give its bits, so they give each other's
    // M = 23: AVX-512's 12-row blocks and an 11-row tail, AVX2's 4-row blocks and a 3-row tail
    const int M = 23, N = 173, K = 600;
    Rng rng(5);
    const Strided A = random_matrix(M, K, rng), Bk = random_matrix(K, N, rng), Bn = random_matrix(N, K, rng);
    for (const GemmKernel kernel : kernels()) {
        if (kernel == GemmKernel::Vec128) continue;
        for (const BLayout layout : {BLayout::KxN, BLayout::NxK}) {
            const Strided& B = layout == BLayout::KxN ? Bk : Bn;
            Strided C(M, N, 0, 0.0f);
            gemm_f32_on(kernel, M, N, K, A.data.data(), A.ld, B.data.data(), B.ld, layout, C.data.data(), C.ld);
            for (int i = 0; i < M; ++i)
                for (int j = 0; j < N; ++j) {
                    INFO(gemm_kernel_name(kernel), " i ", i, " j ", j);
                    REQUIRE(C.at(i, j) == fma_definition(A, B, layout, i, j, 0.0f, false));
                }
        }
    }
}

TEST_CASE("an FMA kernel is chosen wherever the CPU has one, and a kernel the CPU lacks is refused by name") {
    const GemmKernel best = best_gemm_kernel();
    CHECK(gemm_kernel_available(best));
    if (gemm_kernel_available(GemmKernel::Avx512)) CHECK(best == GemmKernel::Avx512);
    else if (gemm_kernel_available(GemmKernel::Avx2)) CHECK(best == GemmKernel::Avx2);
    for (const GemmKernel k : {GemmKernel::Avx2, GemmKernel::Avx512})
        if (!gemm_kernel_available(k)) {
            float x = 0;
            CHECK_THROWS_WITH(gemm_f32_on(k, 1, 1, 1, &x, 1, &x, 1, BLayout::KxN, &x, 1), doctest::Contains(gemm_kernel_name(k)));
        }
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
    const int M = 10, N = 150, K = 700;
    Rng rng(99);
    const Strided A = random_matrix(M, K, rng), B = random_matrix(K, N, rng);
    for (const GemmKernel kernel : kernels()) {
        Strided whole(M, N, 0, 0.0f), pieces(M, N, 0, 0.0f);
        gemm_f32_on(kernel, M, N, K, A.data.data(), A.ld, B.data.data(), B.ld, BLayout::KxN, whole.data.data(), whole.ld);
        const int row_splits[] = {0, 4, 5, M}, col_splits[] = {0, 7, 31, 32, 129, N};
        for (int r = 0; r + 1 < 4; ++r)
            for (int c = 0; c + 1 < 6; ++c) {
                const int i0 = row_splits[r], j0 = col_splits[c];
                gemm_f32_on(kernel, row_splits[r + 1] - i0, col_splits[c + 1] - j0, K, A.ptr(i0, 0), A.ld, B.ptr(0, j0),
                            B.ld, BLayout::KxN, &pieces.at(i0, j0), pieces.ld);
            }
        CHECK(pieces.data == whole.data);
    }
}

TEST_CASE("accumulating, gemm_f32 adds the product to C: C0 + the product's own bits up to 256 deep, the double sum beyond") {
    for (const GemmKernel kernel : kernels())
        for (const BLayout layout : {BLayout::KxN, BLayout::NxK})
            for (const int K : {1, 37, 256, 700}) {
                const int M = 9, N = 45;
                Rng rng(7 + K);
                const Strided A = random_matrix(M, K, rng);
                const Strided B = layout == BLayout::KxN ? random_matrix(K, N, rng) : random_matrix(N, K, rng);
                const Strided C0 = random_matrix(M, N, rng);
                Strided product(M, N, 5, 0.0f), sum = C0;
                gemm_f32_on(kernel, M, N, K, A.data.data(), A.ld, B.data.data(), B.ld, layout, product.data.data(), product.ld);
                gemm_f32_on(kernel, M, N, K, A.data.data(), A.ld, B.data.data(), B.ld, layout, sum.data.data(), sum.ld, true);
                INFO(gemm_kernel_name(kernel), " K ", K);
                for (int i = 0; i < M; ++i)
                    for (int j = 0; j < N; ++j) {
                        // one depth block: C0 is added to the block's sum once, as the plain product's value
                        if (K <= 256) REQUIRE(sum.at(i, j) == C0.at(i, j) + product.at(i, j));
                        double exact = C0.at(i, j), magnitude = std::fabs(static_cast<double>(C0.at(i, j)));
                        for (int k = 0; k < K; ++k) {
                            const double term = static_cast<double>(A.at(i, k)) * (layout == BLayout::KxN ? B.at(k, j) : B.at(j, k));
                            exact += term;
                            magnitude += std::fabs(term);
                        }
                        REQUIRE(std::fabs(sum.at(i, j) - exact) <= 2.0 * (K + 1) * 0x1p-24 * magnitude);
                    }
            }
    // no depth: C stays as it was
    std::vector<float> A(12, 1.0f), B(12, 1.0f), C(12, 7.0f);
    gemm_f32(3, 4, 0, A.data(), 1, B.data(), 4, BLayout::KxN, C.data(), 4, true);
    for (const float c : C) CHECK(c == 7.0f);
}

TEST_CASE("the backward pass's products: add_transposed_product adds a^T b, matmul reads B as K x N or N x K (against double)") {
    Rng rng(5);
    const auto random = [&](int r, int c) { return random_mat(r, c, rng); };
    const MatRM a = random(70, 33), b = random(70, 130), start = random(33, 130);
    check_add_transposed_product(a, b, start);
    // dx = dy W^T with W stored (in, out): W read as N x K
    const MatRM dy = random(20, 130), w = random(33, 130);
    MatRM dx(20, 33);
    matmul(dy, w.data(), 130, BLayout::NxK, 33, dx.data(), 33);
    const Eigen::MatrixXd want_dx = dy.cast<double>() * w.cast<double>().transpose();
    CHECK((dx.cast<double>() - want_dx).cwiseAbs().maxCoeff() < 1e-4 * want_dx.cwiseAbs().maxCoeff());
}

TEST_CASE("matmul on rows a multiple of 2 KiB apart (GPT-2's MLP activations) gives gemm_f32's definition, copied or not") {
    // On the wide kernels matmul copies such an A to rows gemm_a_stride() floats apart before the product; the copy
    // must change no value and no order of sums: each entry is still the scalar definition's (std::fma over k
    // ascending, depth blocks of 256 added in order). 3,072 = GPT-2's MLP width; 512 the smallest such width.
    for (const int K : {512, 3072}) {
        const int M = 14, N = 70;
        INFO("K ", K, ": stride ", gemm_a_stride(K));
        if (best_gemm_kernel() == GemmKernel::Vec128) CHECK(gemm_a_stride(K) == K);
        else CHECK(gemm_a_stride(K) == K + 16);
        CHECK(gemm_a_stride(K + 1) == K + 1);
        Rng rng(11 + K);
        MatRM a(M, K), w(K, N);
        for (int i = 0; i < M; ++i)
            for (int k = 0; k < K; ++k) a(i, k) = static_cast<float>(rng.normal());
        for (int k = 0; k < K; ++k)
            for (int j = 0; j < N; ++j) w(k, j) = static_cast<float>(rng.normal());
        MatRM out(M, N);
        matmul(a, w.data(), N, BLayout::KxN, N, out.data(), N);
        if (best_gemm_kernel() == GemmKernel::Vec128) continue;  // its a * b + acc may round twice: not std::fma's bits
        for (int i = 0; i < M; ++i)
            for (int j = 0; j < N; ++j) {
                float c = 0.0f;
                for (int k0 = 0; k0 < K; k0 += 256) {
                    float block = 0.0f;
                    for (int k = k0; k < std::min(K, k0 + 256); ++k) block = std::fma(a(i, k), w(k, j), block);
                    c = k0 == 0 ? block : c + block;
                }
                REQUIRE(out(i, j) == c);
            }
    }
}

TEST_CASE("add_transposed_product over 512 rows (a^T laid out for the wide kernels) adds a^T b (against double)") {
    Rng rng(17);
    const auto random = [&](int r, int c) { return random_mat(r, c, rng); };
    const MatRM a = random(512, 21), b = random(512, 45), start = random(21, 45);
    check_add_transposed_product(a, b, start);
}

TEST_CASE("B packed once (gemm_pack) gives gemm_f32's definition exactly: either layout, a last narrow panel, from any panel on, accumulating") {
    const int width = gemm_packed_width();
    if (width == 0) {  // the 128-bit kernel packs as it goes
        float x = 0;
        CHECK_THROWS_WITH(gemm_pack(1, 1, &x, 1, BLayout::KxN, &x), doctest::Contains("takes no packed weights"));
        return;
    }
    // N = 5 panels and 13 columns; K = 600: depth blocks of 256, 256 and 88; M = 23: 12-row blocks and a tail
    const int M = 23, N = 5 * width + 13, K = 600;
    Rng rng(21);
    const Strided A = random_matrix(M, K, rng), Bk = random_matrix(K, N, rng), Bn = random_matrix(N, K, rng), C0 = random_matrix(M, N, rng);
    for (const BLayout layout : {BLayout::KxN, BLayout::NxK}) {
        const Strided& B = layout == BLayout::KxN ? Bk : Bn;
        std::vector<float> panels(static_cast<std::size_t>(gemm_packed_floats(N, K)), -1.0f);
        CHECK(panels.size() == static_cast<std::size_t>(6 * width * K));
        gemm_pack(N, K, B.data.data(), B.ld, layout, panels.data());
        for (const bool accumulate : {false, true})
            for (const int j0 : {0, 2 * width}) {  // the whole product, and C's columns from the third panel on
                Strided C = C0;
                gemm_f32_packed(M, N - j0, K, A.data.data(), A.ld, panels.data() + static_cast<std::size_t>(j0) * K, &C.at(0, j0),
                                C.ld, accumulate);
                for (int i = 0; i < M; ++i)
                    for (int j = 0; j < N; ++j) {
                        INFO((layout == BLayout::KxN ? "K x N" : "N x K"), " accumulate ", accumulate, " from column ", j0, " i ", i, " j ", j);
                        REQUIRE(C.at(i, j) == (j < j0 ? C0.at(i, j) : fma_definition(A, B, layout, i, j, C0.at(i, j), accumulate)));
                    }
            }
    }
}
