#include "text/pretokenize.hpp"

#include "text/unicode_classes.hpp"
#include "text/utf8.hpp"

namespace attnlab {
namespace {

bool is_other(char32_t c) { return !is_space(c) && !is_letter(c) && !is_number(c); }

// Length of the contraction ('s 't 're 've 'm 'll 'd) starting at i, or 0.
std::size_t contraction_at(const std::vector<char32_t>& p, std::size_t i) {
    const std::size_t n = p.size();
    if (p[i] != U'\'' || i + 1 >= n) return 0;
    const char32_t a = p[i + 1];
    if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
    if (i + 2 < n) {
        const char32_t b = p[i + 2];
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
    }
    return 0;
}

template <class Pred>
std::size_t run_end(const std::vector<char32_t>& p, std::size_t i, Pred pred) {
    while (i < p.size() && pred(p[i])) ++i;
    return i;
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> pretokenize(const std::string& text) {
    std::vector<char32_t> p;
    std::vector<std::size_t> off;
    decode_utf8(text, "text", p, off);
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    const std::size_t n = p.size();
    std::size_t i = 0;
    while (i < n) {
        std::size_t end = 0;
        // an optional single ' ' before a letter, number or "other" run
        const std::size_t j = (p[i] == U' ' && i + 1 < n) ? i + 1 : i;
        if (std::size_t c = contraction_at(p, i)) {
            end = i + c;
        } else if (is_letter(p[j])) {
            end = run_end(p, j, is_letter);
        } else if (is_number(p[j])) {
            end = run_end(p, j, is_number);
        } else if (is_other(p[j])) {
            end = run_end(p, j, is_other);
        } else {
            // whitespace: \s+(?!\S) takes the run but leaves its last character to the next piece when a
            // non-space follows; a lone whitespace before a non-space is matched by the final \s+.
            const std::size_t run = run_end(p, i, is_space);
            end = (run < n && run - i > 1) ? run - 1 : run;
        }
        pieces.emplace_back(off[i], off[end]);
        i = end;
    }
    return pieces;
}

}  // namespace attnlab
