#include "util/gemm.hpp"

#include <algorithm>

#include "error.hpp"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#include <emmintrin.h>
#endif

namespace attnlab {
namespace {

// Four floats in one 128-bit register, and the operations the kernel and the packing need.
#if defined(__wasm_simd128__)
using F4 = v128_t;
inline F4 load4(const float* p) { return wasm_v128_load(p); }
inline F4 splat4(const float* p) { return wasm_v128_load32_splat(p); }
inline F4 madd4(F4 acc, F4 a, F4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
inline F4 add4(F4 a, F4 b) { return wasm_f32x4_add(a, b); }
inline F4 zero4() { return wasm_f32x4_splat(0.0f); }
inline void store4(float* p, F4 v) { wasm_v128_store(p, v); }
inline void transpose4(F4& r0, F4& r1, F4& r2, F4& r3) {
    const F4 t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
    const F4 t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
    r0 = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5);
    r1 = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
    r2 = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5);
    r3 = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
}
#else
using F4 = __m128;
inline F4 load4(const float* p) { return _mm_loadu_ps(p); }
inline F4 splat4(const float* p) { return _mm_load1_ps(p); }
inline F4 madd4(F4 acc, F4 a, F4 b) { return _mm_add_ps(acc, _mm_mul_ps(a, b)); }
inline F4 add4(F4 a, F4 b) { return _mm_add_ps(a, b); }
inline F4 zero4() { return _mm_setzero_ps(); }
inline void store4(float* p, F4 v) { _mm_storeu_ps(p, v); }
inline void transpose4(F4& r0, F4& r1, F4& r2, F4& r3) { _MM_TRANSPOSE4_PS(r0, r1, r2, r3); }
#endif

// A 3 x 12 block of C: 9 accumulators, 3 values of B and a broadcast of A fit the 16 registers WebAssembly SIMD
// compiles to on x86-64 (measured in Chromium, GPT-2's shapes: 34-36 GFLOP/s, against 30-32 for 4 x 8 and 23-25
// for 4 x 12, which spills).
constexpr int k_vectors = gemm_panel_columns / 4;  // f32x4 vectors per row of the block
constexpr int k_rows = 3;                 // rows of C per kernel call
constexpr int k_cols = 4 * k_vectors;     // columns of C per kernel call: one packed panel of B
constexpr int k_depth = 256; // k per block: a packed panel is 12 KB, A's rows of one block stay in cache

// B[k0 .. k0+kc) x [j0 .. j0+n) into panel[k * k_cols + c], zero-padded to k_cols columns.
void pack_panel(const float* B, int ldb, BLayout layout, int k0, int kc, int j0, int n, float* panel) {
    if (layout == BLayout::KxN) {
        for (int k = 0; k < kc; ++k) {
            const float* row = B + static_cast<long>(k0 + k) * ldb + j0;
            float* dst = panel + k * k_cols;
            if (n == k_cols) {
                for (int v = 0; v < k_vectors; ++v) store4(dst + 4 * v, load4(row + 4 * v));
            } else {
                for (int c = 0; c < k_cols; ++c) dst[c] = c < n ? row[c] : 0.0f;
            }
        }
    } else {
        int c = 0;
        for (; c + 4 <= n; c += 4) {  // four rows of B at a time, in 4 x 4 transposes
            const float* rows[4];
            for (int i = 0; i < 4; ++i) rows[i] = B + static_cast<long>(j0 + c + i) * ldb + k0;
            int k = 0;
            for (; k + 4 <= kc; k += 4) {
                F4 r0 = load4(rows[0] + k), r1 = load4(rows[1] + k), r2 = load4(rows[2] + k), r3 = load4(rows[3] + k);
                transpose4(r0, r1, r2, r3);
                store4(panel + (k + 0) * k_cols + c, r0);
                store4(panel + (k + 1) * k_cols + c, r1);
                store4(panel + (k + 2) * k_cols + c, r2);
                store4(panel + (k + 3) * k_cols + c, r3);
            }
            for (; k < kc; ++k)
                for (int i = 0; i < 4; ++i) panel[k * k_cols + c + i] = rows[i][k];
        }
        for (; c < k_cols; ++c) {  // the last rows of B one by one, then zeros
            const float* col = c < n ? B + static_cast<long>(j0 + c) * ldb + k0 : nullptr;
            for (int k = 0; k < kc; ++k) panel[k * k_cols + c] = col ? col[k] : 0.0f;
        }
    }
}

// C[0 .. R) x [0 .. n) (+)= A[0 .. R) x [0 .. kc) * panel; `add` adds to C's values (a later k block).
template <int R>
void kernel(int kc, const float* A, int lda, const float* panel, float* C, int ldc, int n, bool add) {
    F4 acc[R][k_vectors];  // in registers once the loops over r and v are unrolled
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) for (int v = 0; v < k_vectors; ++v) acc[r][v] = zero4();
    for (int k = 0; k < kc; ++k) {
        F4 b[k_vectors];
        for (int v = 0; v < k_vectors; ++v) b[v] = load4(panel + k * k_cols + 4 * v);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const F4 a = splat4(A + static_cast<long>(r) * lda + k);
            for (int v = 0; v < k_vectors; ++v) acc[r][v] = madd4(acc[r][v], a, b[v]);
        }
    }
    for (int r = 0; r < R; ++r) {
        float* c = C + static_cast<long>(r) * ldc;
        if (n == k_cols) {
            for (int v = 0; v < k_vectors; ++v) store4(c + 4 * v, add ? add4(load4(c + 4 * v), acc[r][v]) : acc[r][v]);
        } else {
            alignas(16) float tmp[k_cols];
            for (int v = 0; v < k_vectors; ++v) store4(tmp + 4 * v, acc[r][v]);
            for (int j = 0; j < n; ++j) c[j] = add ? c[j] + tmp[j] : tmp[j];
        }
    }
}

void gemm_vec128(int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout, float* C, int ldc,
                 bool accumulate) {
    alignas(16) float panel[k_depth * k_cols];
    for (int k0 = 0; k0 < K; k0 += k_depth) {
        const int kc = std::min(k_depth, K - k0);
        const bool add = accumulate || k0 > 0;
        for (int j0 = 0; j0 < N; j0 += k_cols) {
            const int n = std::min(k_cols, N - j0);
            pack_panel(B, ldb, layout, k0, kc, j0, n, panel);
            const float* a = A + k0;
            float* c = C + j0;
            int i = 0;
            for (; i + k_rows <= M; i += k_rows)
                kernel<k_rows>(kc, a + static_cast<long>(i) * lda, lda, panel, c + static_cast<long>(i) * ldc, ldc, n, add);
            switch (M - i) {
                case 2: kernel<2>(kc, a + static_cast<long>(i) * lda, lda, panel, c + static_cast<long>(i) * ldc, ldc, n, add); break;
                case 1: kernel<1>(kc, a + static_cast<long>(i) * lda, lda, panel, c + static_cast<long>(i) * ldc, ldc, n, add); break;
                default: break;
            }
        }
    }
}

}  // namespace

bool gemm_kernel_available(GemmKernel kernel) {
    switch (kernel) {
        case GemmKernel::Vec128: return true;
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
        case GemmKernel::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case GemmKernel::Avx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#endif
        default: return false;
    }
}

GemmKernel best_gemm_kernel() {
    static const GemmKernel best = gemm_kernel_available(GemmKernel::Avx512) ? GemmKernel::Avx512
                                   : gemm_kernel_available(GemmKernel::Avx2) ? GemmKernel::Avx2
                                                                             : GemmKernel::Vec128;  // the CPU's, fixed
    return best;
}

int gemm_column_block() {
    static const int columns = best_gemm_kernel() == GemmKernel::Vec128 ? 8 * gemm_panel_columns : 64;
    return columns;
}

int gemm_a_stride(int lda) {
    return best_gemm_kernel() == GemmKernel::Vec128 || lda % 512 != 0 ? lda : lda + 16;
}

const char* gemm_kernel_name(GemmKernel kernel) {
    switch (kernel) {
#if defined(__wasm_simd128__)
        case GemmKernel::Vec128: return "wasm-simd128";
#else
        case GemmKernel::Vec128: return "vec128";
#endif
        case GemmKernel::Avx2: return "avx2+fma";
        case GemmKernel::Avx512: return "avx512f";
    }
    return "?";
}

namespace {

// gemm_f32 on `kernel`, which this CPU runs.
void dispatch(GemmKernel kernel, int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout,
              float* C, int ldc, bool accumulate) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        if (!accumulate)
            for (int i = 0; i < M; ++i) std::fill(C + static_cast<long>(i) * ldc, C + static_cast<long>(i) * ldc + N, 0.0f);
        return;
    }
    switch (kernel) {
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
        case GemmKernel::Avx2: return gemm_f32_avx2(M, N, K, A, lda, B, ldb, layout, C, ldc, accumulate);
        case GemmKernel::Avx512: return gemm_f32_avx512(M, N, K, A, lda, B, ldb, layout, C, ldc, accumulate);
#endif
        default: return gemm_vec128(M, N, K, A, lda, B, ldb, layout, C, ldc, accumulate);
    }
}

}  // namespace

void gemm_f32_on(GemmKernel kernel, int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout,
                 float* C, int ldc, bool accumulate) {
    if (!gemm_kernel_available(kernel)) throw Error(std::string("gemm: this CPU cannot run the ") + gemm_kernel_name(kernel) + " kernel");
    dispatch(kernel, M, N, K, A, lda, B, ldb, layout, C, ldc, accumulate);
}

void gemm_f32(int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout, float* C, int ldc,
              bool accumulate) {
    dispatch(best_gemm_kernel(), M, N, K, A, lda, B, ldb, layout, C, ldc, accumulate);  // the CPU's own: no check per call
}

int gemm_packed_width() {
    switch (best_gemm_kernel()) {
        case GemmKernel::Avx512: return 32;
        case GemmKernel::Avx2: return 16;
        default: return 0;
    }
}

long gemm_packed_floats(int N, int K) {
    const int w = gemm_packed_width();
    return w == 0 ? 0 : static_cast<long>((N + w - 1) / w) * w * K;
}

void gemm_pack([[maybe_unused]] int N, [[maybe_unused]] int K, [[maybe_unused]] const float* B, [[maybe_unused]] int ldb,
               [[maybe_unused]] BLayout layout, [[maybe_unused]] float* panels) {  // unused where no kernel packs
    switch (best_gemm_kernel()) {
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
        case GemmKernel::Avx2: return gemm_pack_avx2(N, K, B, ldb, layout, panels);
        case GemmKernel::Avx512: return gemm_pack_avx512(N, K, B, ldb, layout, panels);
#endif
        default: throw Error(std::string("gemm: the ") + gemm_kernel_name(best_gemm_kernel()) + " kernel takes no packed weights");
    }
}

void gemm_f32_packed(int M, int N, int K, const float* A, int lda, const float* panels, float* C, int ldc, bool accumulate) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) return dispatch(best_gemm_kernel(), M, N, K, A, lda, panels, N, BLayout::KxN, C, ldc, accumulate);  // zeros
    switch (best_gemm_kernel()) {
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
        case GemmKernel::Avx2: return gemm_f32_packed_avx2(M, N, K, A, lda, panels, C, ldc, accumulate);
        case GemmKernel::Avx512: return gemm_f32_packed_avx512(M, N, K, A, lda, panels, C, ldc, accumulate);
#endif
        default: throw Error(std::string("gemm: the ") + gemm_kernel_name(best_gemm_kernel()) + " kernel takes no packed weights");
    }
}

}  // namespace attnlab
