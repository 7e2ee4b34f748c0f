#include "cli/conditioning_log.hpp"

#include <algorithm>

#include "analysis/conditioning.hpp"
#include "cli/files.hpp"
#include "error.hpp"

namespace attnlab::cli {

std::vector<std::vector<int>> probe_windows(const std::vector<int>& val, int seq_len, int count) {
    std::vector<std::vector<int>> windows;
    const auto step = static_cast<std::size_t>(seq_len);
    for (std::size_t start = 0; static_cast<int>(windows.size()) < count && start + 2 <= val.size(); start += step) {
        const std::size_t end = std::min(val.size(), start + step);
        windows.emplace_back(val.begin() + static_cast<long>(start), val.begin() + static_cast<long>(end));
    }
    return windows;
}

void ConditioningLog::resume(int last_step) {
    const std::string text = read_text(path_);
    lines_.clear();
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        const Json line = Json::parse(text.substr(at, end - at), nullptr, false);
        if (line.is_discarded() || !line.contains("step") || !line["step"].is_number_integer())
            throw Error(path_ + ": unreadable; it holds the resumed run's conditioning log");
        if (line["step"].get<int>() <= last_step) lines_.push_back(line);
        at = end + 1;
    }
}

void ConditioningLog::add(int step, double train_seconds, double val_loss, const Config& c, const ConditioningProbe& p) {
    Json line = {{"step", step}, {"train_seconds", train_seconds}, {"val_loss", val_loss}};
    const char* names[] = {"log10_kappa_q", "log10_kappa_k", "log10_kappa_v"};
    for (int b = 0; b < 3; ++b) {
        std::vector<double> per_layer;
        for (int l = 0; l < c.n_layer; ++l)
            per_layer.push_back(log10_kappa(p.projection_kappa[static_cast<std::size_t>(3 * l + b)], c.n_embd));
        line[names[b]] = per_layer;
    }
    line["attention_log10_kappa"] = p.attention_log10_kappa;
    line["attention_log10_kappa_median"] = p.attention_log10_kappa_median;
    lines_.push_back(std::move(line));
}

void ConditioningLog::write() const {
    std::string text;
    for (const auto& line : lines_) text += line.dump() + "\n";
    write_file(path_, text.data(), text.size());
}

}  // namespace attnlab::cli
