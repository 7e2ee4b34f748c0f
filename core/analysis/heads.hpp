// Two behaviours a trained GPT-2 should show, measured directly:
//   previous-token heads: the mean attention weight of row i on token i - 1 (rows i >= 1), per head;
//   induction: on a random token sequence repeated twice, the mean next-token loss on the second copy
//   against the first (a model that copies from the earlier occurrence predicts the second copy well).
#pragma once
#include <cstdint>
#include <vector>

#include "model/gpt2.hpp"

namespace attnlab {

// (layer * n_head + head) -> mean attention on the previous token over the windows of ids.
std::vector<double> previous_token_scores(const Model& model, const std::vector<int>& ids, int window);

// Per-position next-token losses of ids: entry t is -log p(ids[t + 1] | ids[..t]), t = 0..T-2.
std::vector<double> token_losses(const Model& model, const std::vector<int>& ids);

struct InductionResult {
    int length = 0, trials = 0;
    double first_copy_loss = 0, second_copy_loss = 0;  // mean over predicted positions of each copy
};

// `trials` random sequences of `length` token ids, each repeated twice. First copy: predictions of tokens
// 2..L; second copy: of tokens L+2..2L (the same tokens again). The ids are drawn uniformly from `pool`, or
// from [0, vocab_size - 1) when it is empty. A small model trained on a small corpus has never seen most of
// the vocabulary: those tokens' embeddings get only the softmax's common push-down and end up alike, so no
// copying can tell them apart; a pool of the tokens its corpus holds measures copying itself.
InductionResult induction_test(const Model& model, int length, int trials, std::uint64_t seed,
                               const std::vector<int>& pool = {});

}  // namespace attnlab
