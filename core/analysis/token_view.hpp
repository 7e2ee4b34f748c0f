// What the page's per-token views draw for one window of a text: one head's attention (T, T), every head's pattern
// pooled to a thumbnail, and the model's next-token predictions at every position, from one forward pass with every
// head's softmax at the request's temperature (the output softmax at 1).
#pragma once
#include <vector>

#include "model/gpt2.hpp"

namespace attnlab {

struct TokenViewRequest {
    int start = 0;       // the window's first token in the text
    int length = 0;      // its tokens; 0: as many as the model's context holds
    double temperature = 1.0;
    std::vector<HeadId> heads;  // heads whose full (T, T) attention is returned
    int thumbnail = 0;   // > 0: every head's attention pooled to (B, B), B = min(T, thumbnail)
    int top_k = 0;       // > 0: the k likeliest next tokens at every position
    std::vector<int> top_rows;  // with top_k: only these window positions' predictions (the others stay empty); none: all
};

struct TokenView {
    int total = 0;       // tokens in the whole text
    int start = 0, length = 0;
    std::vector<HeadCapture> heads;   // probs (T, T) of the requested heads (scores left empty)
    int thumbnail = 0;                // B
    std::vector<float> thumbnails;    // (n_layer * n_head, B, B): block means of the weights over cells j <= i; NaN
                                      // where a block holds only masked (future) cells
    int top_k = 0;
    std::vector<int> top_ids;         // (T, k): position t's likeliest next tokens, likeliest first; -1 at a position
                                      // not in top_rows
    std::vector<float> top_probs;     // (T, k); NaN where not predicted
    std::vector<float> next_prob;     // (T): the probability of the token that does come next; NaN at the last (and
                                      // where not predicted)
    std::vector<int> next_rank;       // (T): its rank (1 = likeliest); 0 at the last (and where not predicted)
};

// Throws Error when the window lies outside the text, a head does not exist or a top_rows position is outside the window.
TokenView token_view(const Model& model, const std::vector<int>& ids, const TokenViewRequest& request);

}  // namespace attnlab
