#include "analysis/windows.hpp"

#include <algorithm>

#include "error.hpp"

namespace attnlab {

std::vector<Window> split_windows(int total, int max_tokens, int stride) {
    if (max_tokens < 1) throw Error("windows: the window size must be at least 1 token");
    if (stride < 0 || stride > max_tokens)
        throw Error("windows: the stride must be in 1.." + std::to_string(max_tokens) + " (the window), or 0 for the window (got " +
                    std::to_string(stride) + ")");
    const int step = stride == 0 ? max_tokens : stride;
    std::vector<Window> out;
    for (int start = 0; start < total; start += step) out.push_back({start, std::min(max_tokens, total - start)});
    return out;
}

std::vector<Window> forward_windows(const Model& model, const std::vector<int>& ids, int window, const ForwardOptions& fo,
                                    const Progress& progress, const std::function<void(const Trace&)>& each) {
    const auto windows = split_windows(static_cast<int>(ids.size()), window);
    for (std::size_t w = 0; w < windows.size(); ++w) {
        const Trace trace =
            forward(model, std::vector<int>(ids.begin() + windows[w].start, ids.begin() + windows[w].start + windows[w].length), fo);
        if (each) each(trace);
        if (progress) progress(static_cast<int>(w + 1), static_cast<int>(windows.size()), "window");
    }
    return windows;
}

int window_of(int max_tokens, int fallback, const Config& c, const std::string& what) {
    const int n = max_tokens == 0 ? std::min(fallback, c.n_positions) : max_tokens;
    if (n < 2 || n > c.n_positions)
        throw Error(what + ": max tokens must be in 2.." + std::to_string(c.n_positions) + " (got " + std::to_string(n) + ")");
    return n;
}

std::vector<int> lengths_to_measure(std::vector<int> asked, int min, int reach, int cap, const std::string& what) {
    if (asked.empty()) {
        for (int L = 16; L <= std::min(reach, cap); L *= 2) asked.push_back(L);
        if (asked.empty()) asked.push_back(reach);
    }
    std::sort(asked.begin(), asked.end());
    asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
    for (int L : asked)
        if (L < min || L > reach)
            throw Error(what + ": every length must be in " + std::to_string(min) + ".." + std::to_string(reach) +
                        " (the longest window this text and max tokens allow; got " + std::to_string(L) + ")");
    return asked;
}

}  // namespace attnlab
