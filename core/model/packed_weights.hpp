// The forward pass's weight matrices packed once for the native GEMM kernel (util/gemm.hpp's gemm_pack), so that no
// product copies them into panels again: the same bits, and on GPT-2 124M's shape (128 tokens, AMD EPYC family 25)
// its products ran at 107-108 GFLOP/s against 98-100.
#pragma once
#include <cstddef>
#include <functional>

#include "model/weights.hpp"

namespace attnlab {

// Packs each layer's four matrices and the output layer (F32 storage only) into one new arena kept in w.storage, and
// points their Tensor2::panels at it. The arena holds as many floats again as those matrices (each rounded up to whole
// panels). Does nothing where the kernel packs as it goes (WebAssembly, CPUs without AVX2). `packed(data, bytes)` is
// told of each matrix once its panels are written, on the calling thread: a caller that maps the file may let the
// pages go, as nothing of the forward pass reads them again.
void pack_for_gemm(Weights& w, const std::function<void(const void* data, std::size_t bytes)>& packed = {});

}  // namespace attnlab
