// A single-precision matrix product for 128-bit SIMD: the page's GEMM. Eigen's SSE kernel, which Emscripten
// translates to WebAssembly SIMD, ran GPT-2's shapes at 17-23 GFLOP/s in Chromium on the development machine;
// this one, written for WebAssembly's f32x4 operations (a 3x12 block of C in 9 registers, B packed in 12-column
// panels, A's entries broadcast straight from memory), at 34-36. The native build compiles the same code with
// SSE2, so its tests check it against Eigen; the native CLI itself keeps Eigen's GEMM.
#pragma once

namespace attnlab {

// How B is laid out in memory: K x N row-major (a weight matrix, out = x * W), or N x K row-major (its
// transpose is multiplied: logits = x * lm_head^T).
enum class BLayout { KxN, NxK };

// gemm_f32 computes C in panels of this many columns; a caller that splits C's columns into blocks wastes
// nothing with blocks of a multiple of it.
inline constexpr int gemm_panel_columns = 12;

// C = A * B for row-major C (M x N, row stride ldc) and A (M x K, row stride lda); B as `layout` says, row
// stride ldb. Each entry of C is a sum over k in ascending order, in blocks of 256 whose partial sums are added
// in order: the result never depends on how the caller splits C's columns or rows.
void gemm_f32(int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout, float* C,
              int ldc);

}  // namespace attnlab
