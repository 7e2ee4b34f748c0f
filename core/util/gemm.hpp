// A single-precision matrix product with a fixed order of sums: the GEMM of the page and of the native passes, forward
// and backward.
// - In WebAssembly: written for f32x4 operations (a 3x12 block of C in 9 registers, B packed in 12-column panels,
//   A's entries broadcast straight from memory): 34-36 GFLOP/s in Chromium on the development machine, against
//   17-23 for Eigen's SSE kernel translated by Emscripten.
// - Natively on x86-64: the same definition with FMA in 256-bit (AVX2) or 512-bit (AVX-512) vectors, 4 x 16 or
//   12 x 32 blocks of C (util/gemm_wide.inc), chosen at run time from what the CPU reports; the 128-bit kernel on
//   CPUs with neither.
#pragma once

namespace attnlab {

// The kernels: 128-bit vectors (f32x4 in WebAssembly; natively SSE2, or the 128-bit forms of what the build's -march
// adds: a * b + acc is rounded twice, unless that -march has FMA and the compiler fuses them), or AVX2 and AVX-512
// with FMA (rounded once, so the same bits as each other).
enum class GemmKernel { Vec128, Avx2, Avx512 };

// The best kernel this CPU runs (by CPUID; valgrind's virtual CPU reports no AVX-512), and a kernel's name
// ("wasm-simd128", "vec128", "avx2+fma", "avx512f").
GemmKernel best_gemm_kernel();
const char* gemm_kernel_name(GemmKernel kernel);
bool gemm_kernel_available(GemmKernel kernel);

// How B is laid out in memory: K x N row-major (a weight matrix, out = x * W), or N x K row-major (its
// transpose is multiplied: logits = x * lm_head^T).
enum class BLayout { KxN, NxK };

// The 128-bit kernel (WebAssembly's) computes C in panels of this many columns; the AVX2 and AVX-512 kernels in
// panels of 16 and 32 (util/gemm_wide.inc). A caller that splits C's columns into blocks wastes nothing with blocks of
// a multiple of the running kernel's: gemm_column_block() gives one.
inline constexpr int gemm_panel_columns = 12;

// The columns of C per task for a caller that splits a product's columns among threads (the forward and backward
// passes' matmul): a multiple of the running kernel's panel (12 columns for the 128-bit kernel, WebAssembly's; 16 for
// AVX2; 32 for AVX-512), small enough that GPT-2's widths (768, 2304, 3072) give each thread several blocks: 96 for
// the 128-bit kernel, 64 for the wider ones (GPT-2 124M's shape, alternating with 96: 1-5% faster on 2 threads, and
// no slower on 1). The bits never depend on it.
int gemm_column_block();

// The row stride (floats) that A should have on the running kernel, for a caller that can copy A once for a whole
// product: lda, or lda + 16 when A's rows lie a multiple of 2 KiB apart and the kernel is a wide one. Such rows (GPT-2's
// MLP activations, 3,072 floats) put the 12 rows of A an AVX-512 step reads into one or two sets of a 32 KiB, 8-way L1
// cache, where they evict each other at every step: the MLP's second product ran at 63-75 GFLOP/s on such a CPU (AMD
// EPYC, family 25), against 92-95 with rows 3,088 floats apart. Copying changes no value and no order of sums.
int gemm_a_stride(int lda);

// C = A * B for row-major C (M x N, row stride ldc) and A (M x K, row stride lda); B as `layout` says, row
// stride ldb; with `accumulate`, C += A * B. Each entry of C is a sum over k in ascending order, in blocks of 256
// whose partial sums are added in order (to C's own value first, when accumulating): the result never depends on
// how the caller splits C's columns or rows.
void gemm_f32(int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout, float* C,
              int ldc, bool accumulate = false);
// The same on a named kernel (tests, benchmarks); throws Error if this CPU cannot run it.
void gemm_f32_on(GemmKernel kernel, int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout,
                 float* C, int ldc, bool accumulate = false);

// B packed once for products that reuse it (the forward pass's weight matrices), so no call copies it into panels
// again: 32 columns per panel on the AVX-512 kernel, 16 on AVX2, and 0 on the 128-bit kernel (WebAssembly, and CPUs
// with neither), which packs as it goes. Replaying GPT-2 124M's forward products (128 tokens, each layer's weights its
// own, AMD EPYC family 25): 98-100 GFLOP/s packing per call, 107-108 on packed weights.
int gemm_packed_width();
// The floats gemm_pack writes for B's N columns of depth K: N rounded up to the panel width, times K.
long gemm_packed_floats(int N, int K);
// B (K x N as `layout` says) into panels for the running kernel: panel p holds columns [p w, p w + w) as K x w
// row-major (w = gemm_packed_width()), the last zero-padded. Throws Error where the width is 0.
void gemm_pack(int N, int K, const float* B, int ldb, BLayout layout, float* panels);
// gemm_f32 with B packed by gemm_pack: `panels` points at the panel of C's first column, which must be a multiple of
// the width into B. The same bits as gemm_f32 on B itself.
void gemm_f32_packed(int M, int N, int K, const float* A, int lda, const float* panels, float* C, int ldc,
                     bool accumulate = false);

#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
// util/gemm_x86.cpp
void gemm_f32_avx2(int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout, float* C, int ldc,
                   bool accumulate);
void gemm_f32_avx512(int M, int N, int K, const float* A, int lda, const float* B, int ldb, BLayout layout, float* C, int ldc,
                     bool accumulate);
void gemm_pack_avx2(int N, int K, const float* B, int ldb, BLayout layout, float* panels);
void gemm_pack_avx512(int N, int K, const float* B, int ldb, BLayout layout, float* panels);
void gemm_f32_packed_avx2(int M, int N, int K, const float* A, int lda, const float* panels, float* C, int ldc, bool accumulate);
void gemm_f32_packed_avx512(int M, int N, int K, const float* A, int lda, const float* panels, float* C, int ldc, bool accumulate);
#endif

}  // namespace attnlab
