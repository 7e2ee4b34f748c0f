// Matrix and byte-view aliases shared by the whole core.
// Every matrix is row-major float, like the weight buffers of a checkpoint, so a Map over file bytes
// and a matrix the core owns have the same layout.
#pragma once
#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <vector>

namespace attnlab {

using MatRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VecF = Eigen::VectorXf;
using RowVecF = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using MapRM = Eigen::Map<const MatRM>;
using MapRowVec = Eigen::Map<const RowVecF>;
using RefRM = Eigen::Ref<const MatRM>;

// Allocates on 64-byte boundaries: a cache line, and the widest packet Eigen uses (AVX-512).
template <class T>
struct Align64Allocator {
    using value_type = T;
    static constexpr std::size_t alignment = 64;
    Align64Allocator() = default;
    template <class U>
    Align64Allocator(const Align64Allocator<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{alignment})); }
    void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t{alignment}); }
    template <class U>
    bool operator==(const Align64Allocator<U>&) const { return true; }
    template <class U>
    bool operator!=(const Align64Allocator<U>&) const { return false; }
};

// A float buffer that Eigen writes into through Maps (gradients). Where Eigen writes into a Map, the
// address decides which elements take the scalar path (where the compiler may fuse a multiply-add) and
// which the packet path; malloc promises only 16 bytes, so with AVX the same inputs gave different bits
// from one allocation to the next. On a 64-byte boundary every tensor in the buffer has the same
// alignment every time, in every build.
using AlignedFloats = std::vector<float, Align64Allocator<float>>;

// The number of elements of a tensor of this shape (1 for a scalar's empty shape).
inline std::int64_t element_count(const std::vector<std::int64_t>& shape) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

// True when every entry is finite, in one vectorised pass: x * 0 is 0 for a finite x and NaN for an infinite or NaN one,
// and a sum of zeros is zero whatever its order (Eigen's allFinite tests entry by entry in scalar code: 70% of the
// attention heads' own time in the native forward pass, outside their matrix products).
inline bool all_finite(const RefRM& m) { return (m.array() * 0.0f).sum() == 0.0f; }

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
