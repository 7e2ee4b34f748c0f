// Splitting a long token sequence into consecutive windows the model can take (at most n_positions each).
#pragma once
#include <vector>

namespace attnlab {

struct Window {
    int start = 0, length = 0;
};

// Consecutive, non-overlapping windows of at most max_tokens tokens covering all `total` tokens.
std::vector<Window> split_windows(int total, int max_tokens);

}  // namespace attnlab
