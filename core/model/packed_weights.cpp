#include "model/packed_weights.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <algorithm>
#include <memory>
#include <new>
#include <vector>

#include "util/gemm.hpp"
#include "util/parallel.hpp"

namespace attnlab {

namespace {
// One matrix to pack: the product the forward pass computes with it, x W (K x N) or x W^T (N x K).
struct Job {
    Tensor2* m;
    BLayout layout;
    int n() const { return layout == BLayout::KxN ? m->cols : m->rows; }
    int k() const { return layout == BLayout::KxN ? m->rows : m->cols; }
};

// Floats on 2 MiB boundaries, asked of Linux in huge pages where it gives them.
struct Arena {
    static constexpr std::size_t k_align = std::size_t{1} << 21;
    float* data;
    explicit Arena(std::size_t n) : data(static_cast<float*>(::operator new[](n * sizeof(float), std::align_val_t{k_align}))) {
#if defined(__linux__)
        madvise(data, n * sizeof(float), MADV_HUGEPAGE);  // no fault if refused: the pages are then 4 KiB
#endif
    }
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
    std::vector<std::size_t> at(jobs.size() + 1, 0);
    for (std::size_t i = 0; i < jobs.size(); ++i) at[i + 1] = at[i] + static_cast<std::size_t>(gemm_packed_floats(jobs[i].n(), jobs[i].k()));
    auto arena = std::make_shared<Arena>(at.back());
    // a layer's matrices at a time on every thread, then each told to `packed` on this one
    constexpr std::size_t per_round = 4;
    for (std::size_t first = 0; first < jobs.size(); first += per_round) {
        const std::size_t count = std::min(per_round, jobs.size() - first);
        parallel_for(static_cast<int>(count), [&](int i) {
            const Job& job = jobs[first + static_cast<std::size_t>(i)];
            gemm_pack(job.n(), job.k(), job.m->data, job.m->cols, job.layout, arena->data + at[first + static_cast<std::size_t>(i)]);
        });
        for (std::size_t i = first; i < first + count; ++i) {
            jobs[i].m->panels = arena->data + at[i];
            if (packed) packed(jobs[i].m->data, static_cast<std::size_t>(jobs[i].m->rows) * jobs[i].m->cols * sizeof(float));
        }
    }
    w.storage.push_back(arena);
}

}  // namespace attnlab
