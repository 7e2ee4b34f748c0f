#include "model/packed_weights.hpp"

#include <algorithm>
#include <memory>
#include <new>
#include <vector>

#include "util/gemm.hpp"
#include "util/parallel.hpp"

namespace attnlab {

namespace {
// A matrix to pack, as the forward pass multiplies by it: x W (K x N) or x W^T (N x K), and where its panels go.
struct Job {
    Tensor2* m;
    BLayout layout;
    float* panels = nullptr;
    int n() const { return layout == BLayout::KxN ? m->cols : m->rows; }
    int k() const { return layout == BLayout::KxN ? m->rows : m->cols; }
};

// Columns [first, first + count) of a job's product packed at once: N x K, rows of the matrix that lie together in
// memory, let go as soon as they are packed (the output layer is a fifth of GPT-2 124M's weights); K x N, all of them.
struct Piece {
    const Job* job;
    int first, count;
    const float* source() const { return job->layout == BLayout::KxN ? job->m->data : job->m->data + static_cast<std::size_t>(first) * job->m->cols; }
    std::size_t bytes() const { return static_cast<std::size_t>(job->layout == BLayout::KxN ? job->m->rows : count) * job->m->cols * sizeof(float); }
};
constexpr int k_piece_rows = 1024;  // N x K: a multiple of every panel width, so a piece's panels start at first * K

// Floats on 64-byte boundaries, so every panel starts a cache line. (Asked for huge pages, the forward pass ran 1%
// faster and the load took 1.2-2.9 s instead of 0.33-0.37: Linux compacted memory for them as they were touched.)
struct Arena {
    static constexpr std::size_t k_align = 64;
    float* data;
    explicit Arena(std::size_t n) : data(static_cast<float*>(::operator new[](n * sizeof(float), std::align_val_t{k_align}))) {}
    ~Arena() { ::operator delete[](data, std::align_val_t{k_align}); }
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
};
}  // namespace

void pack_for_gemm(Weights& w, const std::function<void(const void*, std::size_t)>& packed) {
    if (gemm_packed_width() == 0) return;
    std::vector<Job> jobs;
    const auto add = [&](Tensor2& m, BLayout layout) {
        if (m.data && !m.panels && m.rows > 0 && m.cols > 0) jobs.push_back({&m, layout});
    };
    for (auto& L : w.layers)
        for (Tensor2* m : {&L.attn_w, &L.attn_proj_w, &L.fc_w, &L.mlp_proj_w}) add(*m, m->out_in ? BLayout::NxK : BLayout::KxN);
    add(w.lm_head, BLayout::NxK);  // (V, C): logits = x lm_head^T
    if (jobs.empty()) return;
    std::size_t floats = 0;
    for (const Job& job : jobs) floats += static_cast<std::size_t>(gemm_packed_floats(job.n(), job.k()));
    auto arena = std::make_shared<Arena>(floats);
    std::vector<Piece> pieces;
    float* next = arena->data;
    for (Job& job : jobs) {
        job.panels = next;
        next += gemm_packed_floats(job.n(), job.k());
        const int step = job.layout == BLayout::NxK ? k_piece_rows : job.n();
        for (int first = 0; first < job.n(); first += step) pieces.push_back({&job, first, std::min(step, job.n() - first)});
    }
    // four pieces at a time on every thread, then each told to `packed` on this one: what memory holds of the matrices
    // beside the panels is at most four pieces
    constexpr std::size_t per_round = 4;
    for (std::size_t first = 0; first < pieces.size(); first += per_round) {
        const std::size_t count = std::min(per_round, pieces.size() - first);
        parallel_for(static_cast<int>(count), [&](int i) {
            const Piece& piece = pieces[first + static_cast<std::size_t>(i)];
            const Job& job = *piece.job;
            gemm_pack(piece.count, job.k(), piece.source(), job.m->cols, job.layout,
                      job.panels + static_cast<std::size_t>(piece.first) * job.k());
        });
        if (packed)
            for (std::size_t i = first; i < first + count; ++i) packed(pieces[i].source(), pieces[i].bytes());
    }
    for (const Job& job : jobs) job.m->panels = job.panels;
    w.storage.push_back(arena);
}

}  // namespace attnlab
