// attnlab train's conditioning_log.jsonl (docs/science.md section 10): at every evaluation, one JSON line with the step,
// the training time, the validation loss, log10 kappa_2 of each layer's W_Q, W_K, W_V as used, and the attention
// matrices' median log10 kappa_2 on a fixed validation batch.
#pragma once
#include <string>
#include <vector>

#include "analysis/json.hpp"
#include "model/config.hpp"
#include "train/conditioning_probe.hpp"

namespace attnlab::cli {

// The validation windows the probe reads at every evaluation: the first `count` windows of seq_len tokens (a last shorter
// one of at least 2 tokens included).
std::vector<std::vector<int>> probe_windows(const std::vector<int>& val, int seq_len, int count);

class ConditioningLog {
public:
    explicit ConditioningLog(std::string path) : path_(std::move(path)) {}
    // A resumed run's lines up to step `last_step`; throws Error naming the file when a line is unreadable.
    void resume(int last_step);
    void add(int step, double train_seconds, double val_loss, const Config& config, const ConditioningProbe& probe);
    void write() const;  // every line so far

private:
    std::string path_;
    std::vector<Json> lines_;
};

}  // namespace attnlab::cli
