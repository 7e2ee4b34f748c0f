// Token streams for training: the train / validation split and the unigram baseline.
#pragma once
#include <vector>

namespace attnlab {

struct TokenSplit {
    std::vector<int> train, val;
};

// The last `val_fraction` of each document's tokens is validation, the rest training: the same split
// for the trainer and for every later evaluation, with no seed involved.
void add_document(TokenSplit& split, const std::vector<int>& tokens, double val_fraction);
// A document kept whole for validation (its own file: no training token comes from it).
void add_validation_document(TokenSplit& split, const std::vector<int>& tokens);

struct UnigramBaseline {
    double val_loss = 0;  // mean -log p(token) on the validation tokens, in nats
    double alpha = 0;     // additive smoothing chosen (the one with the lowest validation loss)
};

// Unigram model fitted on train with add-alpha smoothing over the whole vocabulary; the best alpha of
// {1, 0.1, 0.01, 0.001, 0.0001} is reported, so the baseline is as strong as a unigram model gets.
UnigramBaseline unigram_baseline(const TokenSplit& split, int vocab_size);

}  // namespace attnlab
