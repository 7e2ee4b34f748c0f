// gemm_f32's 256- and 512-bit kernels for x86-64 (util/gemm_wide.inc), compiled for AVX2 + FMA and for AVX-512
// whatever the build's -march, and chosen at run time from what the CPU reports (util/gemm.cpp): the host, portable
// and valgrind runs share one binary. Only this file's own functions carry the wider target, and they have internal
// linkage, so no inline function shared with other files is ever compiled for a CPU that may lack it.
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)

#include <immintrin.h>

#include <cstdint>

#include "util/gemm.hpp"

// Every function defined between TARGET_BEGIN(isa) and TARGET_END is compiled for `isa`.
#define ATTNLAB_PRAGMA(x) _Pragma(#x)
#if defined(__clang__)
#define TARGET_BEGIN(isa) ATTNLAB_PRAGMA(clang attribute push(__attribute__((target(isa))), apply_to = function))
#define TARGET_END ATTNLAB_PRAGMA(clang attribute pop)
#else
#define TARGET_BEGIN(isa) ATTNLAB_PRAGMA(GCC push_options) ATTNLAB_PRAGMA(GCC target(isa))
#define TARGET_END ATTNLAB_PRAGMA(GCC pop_options)
#endif

namespace attnlab {

TARGET_BEGIN("avx,avx2,fma")
namespace {
namespace avx2 {
using Vec = __m256;
constexpr int W = 8;
constexpr int k_rows = 4;  // 6 rows (12 of 16 registers) measured slower on this CPU: 54-56 GFLOP/s against 60-90
inline Vec vload(const float* p) { return _mm256_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm256_storeu_ps(p, v); }
inline Vec vzero() { return _mm256_setzero_ps(); }
inline Vec vbroadcast(const float* p) { return _mm256_broadcast_ss(p); }
inline Vec vfma(Vec a, Vec b, Vec acc) { return _mm256_fmadd_ps(a, b, acc); }
inline Vec vadd(Vec a, Vec b) { return _mm256_add_ps(a, b); }
#include "util/gemm_wide.inc"
}  // namespace avx2
}  // namespace
TARGET_END

TARGET_BEGIN("avx,avx2,fma,avx512f")
namespace {
namespace avx512 {
using Vec = __m512;
constexpr int W = 16;
constexpr int k_rows = 12;
inline Vec vload(const float* p) { return _mm512_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm512_storeu_ps(p, v); }
inline Vec vzero() { return _mm512_setzero_ps(); }
inline Vec vbroadcast(const float* p) { return _mm512_set1_ps(*p); }
inline Vec vfma(Vec a, Vec b, Vec acc) { return _mm512_fmadd_ps(a, b, acc); }
inline Vec vadd(Vec a, Vec b) { return _mm512_add_ps(a, b); }
#include "util/gemm_wide.inc"
}  // namespace avx512
}  // namespace
TARGET_END

void gemm_f32_avx2(int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout, float* C, int ldc,
                  bool accumulate) {
    avx2::gemm(M, N, K, A, lda, B, ldb, layout, C, ldc, accumulate);
}

void gemm_f32_avx512(int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout, float* C, int ldc,
                  bool accumulate) {
    avx512::gemm(M, N, K, A, lda, B, ldb, layout, C, ldc, accumulate);
}

void gemm_pack_avx2(int N, int K, const float* B, int ldb, BLayout layout, float* panels) {
    avx2::pack(N, K, B, ldb, layout, panels);
}

void gemm_pack_avx512(int N, int K, const float* B, int ldb, BLayout layout, float* panels) {
    avx512::pack(N, K, B, ldb, layout, panels);
}

void gemm_f32_packed_avx2(int M, int N, int K, const float* A, int lda, const float* panels, float* C, int ldc, bool accumulate) {
    avx2::gemm_packed(M, N, K, A, lda, panels, C, ldc, accumulate);
}

void gemm_f32_packed_avx512(int M, int N, int K, const float* A, int lda, const float* panels, float* C, int ldc, bool accumulate) {
    avx512::gemm_packed(M, N, K, A, lda, panels, C, ldc, accumulate);
}

}  // namespace attnlab

#endif
