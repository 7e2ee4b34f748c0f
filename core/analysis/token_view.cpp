#include "analysis/token_view.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "analysis/normaliser_choice.hpp"
#include "error.hpp"
#include "model/layers.hpp"

namespace attnlab {

namespace {

// (T, T) probabilities pooled to (B, B): block b spans rows/columns [b T / B, (b + 1) T / B); each block holds the
// mean of its cells with j <= i, NaN when it has none.
template <class Matrix>
void pool(const Matrix& p, int B, float* out) {
    const int T = static_cast<int>(p.rows());
    auto edge = [&](int b) { return static_cast<int>(static_cast<long>(b) * T / B); };
    for (int bi = 0; bi < B; ++bi)
        for (int bj = 0; bj < B; ++bj) {
            double sum = 0;
            long cells = 0;
            for (int i = edge(bi); i < edge(bi + 1); ++i)
                for (int j = edge(bj); j < std::min(edge(bj + 1), i + 1); ++j) {
                    sum += p(i, j);
                    ++cells;
                }
            out[bi * B + bj] = cells ? static_cast<float>(sum / static_cast<double>(cells)) : std::numeric_limits<float>::quiet_NaN();
        }
}

}  // namespace

TokenView token_view(const Model& model, const std::vector<int>& ids, const TokenViewRequest& r) {
    const Config& c = model.config;
    const int total = static_cast<int>(ids.size());
    if (total == 0) throw Error("the text is empty");
    if (r.start < 0 || r.start >= total)
        throw Error("the window starts at token " + std::to_string(r.start) + " but the text has " + std::to_string(total) +
                    " tokens (0.." + std::to_string(total - 1) + ")");
    if (r.length < 0) throw Error("the window's length must be at least 1 token (0: the model's context)");
    if (r.top_k < 0 || r.top_k > c.vocab_size) throw Error("top_k must be 0.." + std::to_string(c.vocab_size));
    if (r.thumbnail < 0) throw Error("thumbnail must be 0 (none) or a size in cells");
    if (!(r.temperature > 0) || !std::isfinite(r.temperature)) throw Error("the temperature must be a number above 0");
    check_heads(r.heads, c);

    TokenView v;
    v.total = total;
    v.start = r.start;
    v.length = std::min({r.length > 0 ? r.length : c.n_positions, c.n_positions, total - r.start});
    const int T = v.length;
    const std::vector<int> window(ids.begin() + r.start, ids.begin() + r.start + T);

    ForwardOptions fo;
    fo.normaliser = softmax_normaliser(static_cast<float>(r.temperature));
    fo.keep_logits = KeepLogits::None;
    fo.compute_loss = false;
    fo.capture = r.heads;
    if (r.thumbnail > 0) {
        v.thumbnail = std::min(T, r.thumbnail);
        const int B = v.thumbnail;
        v.thumbnails.assign(static_cast<std::size_t>(c.n_layer) * c.n_head * B * B, 0.0f);
        fo.observer = [&v, &c, B](const HeadView& h) {
            pool(h.probs, B, v.thumbnails.data() + (static_cast<std::size_t>(h.layer) * c.n_head + h.head) * B * B);
        };
    }
    std::vector<int> order;  // the vocabulary, sorted per position (outlives the forward pass that uses it)
    if (r.top_k > 0) {
        const int k = r.top_k, V = c.vocab_size;
        order.resize(static_cast<std::size_t>(V));
        v.top_k = k;
        for (int t : r.top_rows)
            if (t < 0 || t >= T)
                throw Error("top_rows: position " + std::to_string(t) + " is outside the window's " + std::to_string(T) + " tokens (0.." +
                            std::to_string(T - 1) + ")");
        fo.logit_rows = r.top_rows;
        v.top_ids.assign(static_cast<std::size_t>(T) * k, -1);
        v.top_probs.assign(static_cast<std::size_t>(T) * k, std::numeric_limits<float>::quiet_NaN());
        v.next_prob.assign(static_cast<std::size_t>(T), std::numeric_limits<float>::quiet_NaN());
        v.next_rank.assign(static_cast<std::size_t>(T), 0);
        fo.on_logits = [&v, &order, &window, k, V, T](int t, const float* z) {
            // log of the softmax's denominator: exp in float SIMD, summed in double (an exp in double of each of the
            // 50,257 logits at every position was most of the page's attention view)
            const double lse = log_sum_exp(Eigen::Map<const RowVecF>(z, V));
            const auto prob = [&](int j) { return static_cast<float>(std::exp(static_cast<double>(z[j]) - lse)); };
            std::iota(order.begin(), order.end(), 0);
            // likeliest first; equal logits in id order
            const auto before = [&](int a, int b) { return z[a] > z[b] || (z[a] == z[b] && a < b); };
            std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
            for (int i = 0; i < k; ++i) {
                v.top_ids[static_cast<std::size_t>(t) * k + i] = order[static_cast<std::size_t>(i)];
                v.top_probs[static_cast<std::size_t>(t) * k + i] = prob(order[static_cast<std::size_t>(i)]);
            }
            if (t + 1 < T) {
                const int next = window[static_cast<std::size_t>(t) + 1];
                v.next_prob[static_cast<std::size_t>(t)] = prob(next);
                int rank = 1;
                for (int j = 0; j < V; ++j) rank += before(j, next) ? 1 : 0;
                v.next_rank[static_cast<std::size_t>(t)] = rank;
            }
        };
    }
    Trace trace = forward(model, window, fo);
    v.heads = std::move(trace.heads);
    for (auto& h : v.heads) h.scores = MatRM();
    return v;
}

}  // namespace attnlab
