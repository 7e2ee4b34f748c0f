#include "analysis/heads.hpp"

#include <cmath>

#include "analysis/windows.hpp"
#include "model/layers.hpp"
#include "error.hpp"
#include "util/rng.hpp"

namespace attnlab {

std::vector<double> previous_token_scores(const Model& model, const std::vector<int>& ids, int window) {
    const Config& c = model.config;
    std::vector<double> sum(static_cast<std::size_t>(c.n_layer * c.n_head), 0.0);
    long rows = 0;
    for (const auto& w : split_windows(static_cast<int>(ids.size()), window)) {
        if (w.length < 2) continue;
        const ForwardOptions fo = attention_only([&](const HeadView& v) {
            double s = 0;
            for (Eigen::Index i = 1; i < v.probs.rows(); ++i) s += v.probs(i, i - 1);
            sum[static_cast<std::size_t>(v.layer * c.n_head + v.head)] += s;
        });
        forward(model, std::vector<int>(ids.begin() + w.start, ids.begin() + w.start + w.length), fo);
        rows += w.length - 1;
    }
    if (rows == 0) throw Error("previous-token scores: need at least 2 tokens");
    for (auto& s : sum) s /= static_cast<double>(rows);
    return sum;
}

std::vector<double> token_losses(const Model& model, const std::vector<int>& ids) {
    ForwardOptions fo;
    fo.keep_logits = KeepLogits::All;
    const Trace tr = forward(model, ids, fo);
    std::vector<double> out;
    for (std::size_t t = 0; t + 1 < ids.size(); ++t) {
        const auto row = tr.logits.row(static_cast<Eigen::Index>(t));
        out.push_back(log_sum_exp(row) - row(ids[t + 1]));
    }
    return out;
}

InductionResult induction_test(const Model& model, int length, int trials, std::uint64_t seed, const std::vector<int>& pool) {
    const Config& c = model.config;
    if (length < 2 || 2 * length > c.n_positions)
        throw Error("induction test: the sequence length must be in 2..n_positions/2 (" + std::to_string(c.n_positions / 2) + ")");
    for (int id : pool)
        if (id < 0 || id >= c.vocab_size) throw Error("induction test: token id " + std::to_string(id) + " is outside the vocabulary");
    Rng rng(seed);
    InductionResult r;
    r.length = length;
    r.trials = trials;
    for (int trial = 0; trial < trials; ++trial) {
        std::vector<int> ids(static_cast<std::size_t>(length));
        for (auto& id : ids)
            id = pool.empty() ? static_cast<int>(rng.below(static_cast<std::uint64_t>(c.vocab_size - 1)))
                              : pool[static_cast<std::size_t>(rng.below(pool.size()))];
        ids.insert(ids.end(), ids.begin(), ids.end());
        const auto losses = token_losses(model, ids);
        double first = 0, second = 0;
        for (int t = 0; t < length - 1; ++t) first += losses[static_cast<std::size_t>(t)];
        for (int t = length; t < 2 * length - 1; ++t) second += losses[static_cast<std::size_t>(t)];
        r.first_copy_loss += first / (length - 1) / trials;
        r.second_copy_loss += second / (length - 1) / trials;
    }
    return r;
}

}  // namespace attnlab
