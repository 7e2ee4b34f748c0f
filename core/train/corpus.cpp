#include "train/corpus.hpp"

#include <cmath>
#include <limits>

#include "error.hpp"

namespace attnlab {

void add_document(TokenSplit& split, const std::vector<int>& tokens, double val_fraction) {
    if (!(val_fraction >= 0 && val_fraction < 1)) throw Error("--val-fraction must be in [0, 1)");
    const auto n_val = static_cast<std::size_t>(std::floor(static_cast<double>(tokens.size()) * val_fraction));
    const std::size_t cut = tokens.size() - n_val;
    split.train.insert(split.train.end(), tokens.begin(), tokens.begin() + static_cast<long>(cut));
    split.val.insert(split.val.end(), tokens.begin() + static_cast<long>(cut), tokens.end());
}

void add_validation_document(TokenSplit& split, const std::vector<int>& tokens) {
    split.val.insert(split.val.end(), tokens.begin(), tokens.end());
}

UnigramBaseline unigram_baseline(const TokenSplit& split, int vocab_size) {
    if (split.val.empty()) throw Error("unigram baseline: no validation tokens");
    std::vector<double> counts(static_cast<std::size_t>(vocab_size), 0.0);
    for (int t : split.train) counts[static_cast<std::size_t>(t)] += 1;
    UnigramBaseline best{std::numeric_limits<double>::infinity(), 0};
    for (double alpha : {1.0, 0.1, 0.01, 0.001, 0.0001}) {
        const double total = static_cast<double>(split.train.size()) + alpha * vocab_size;
        double loss = 0;
        for (int t : split.val) loss -= std::log((counts[static_cast<std::size_t>(t)] + alpha) / total);
        loss /= static_cast<double>(split.val.size());
        if (loss < best.val_loss) best = {loss, alpha};
    }
    return best;
}

}  // namespace attnlab
