#include "analysis/windows.hpp"

#include "error.hpp"

namespace attnlab {

std::vector<Window> split_windows(int total, int max_tokens) {
    if (max_tokens < 1) throw Error("windows: the window size must be at least 1 token");
    std::vector<Window> out;
    for (int start = 0; start < total; start += max_tokens) out.push_back({start, std::min(max_tokens, total - start)});
    return out;
}

}  // namespace attnlab
