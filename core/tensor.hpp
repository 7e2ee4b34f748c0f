// Matrix and byte-view aliases shared by the whole core.
// Every matrix is row-major float, like the weight buffers of a checkpoint, so a Map over file bytes
// and a matrix the core owns have the same layout.
#pragma once
#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace attnlab {

using MatRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VecF = Eigen::VectorXf;
using RowVecF = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using MapRM = Eigen::Map<const MatRM>;
using MapRowVec = Eigen::Map<const RowVecF>;
using RefRM = Eigen::Ref<const MatRM>;

// Start of row i of a row-major view.
inline const float* row_ptr(const RefRM& m, Eigen::Index i) { return m.data() + i * m.outerStride(); }

// A borrowed run of bytes. The owner keeps them alive for as long as anything points into them.
struct ByteView {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
};

// Bytes plus whatever keeps them alive (a vector, an mmap, a wasm heap block).
struct SharedBytes {
    ByteView bytes;
    std::shared_ptr<const void> owner;
};

// Bytes read on demand, for a file too large to hold whole (a multi-GB checkpoint in a browser tab):
// read(offset, n, out) copies n bytes from the offset into out and throws Error if it cannot.
struct ByteSource {
    std::size_t size = 0;
    std::function<void(std::size_t offset, std::size_t n, std::uint8_t* out)> read;
};

inline SharedBytes share_bytes(std::shared_ptr<const std::string> text) {
    ByteView view{reinterpret_cast<const std::uint8_t*>(text->data()), text->size()};
    return SharedBytes{view, std::move(text)};
}

}  // namespace attnlab
