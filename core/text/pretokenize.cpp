#include "text/pretokenize.hpp"

#include "error.hpp"

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

bool is_crlf(char32_t c) { return c == U'\r' || c == U'\n'; }
char32_t lower_ascii(char32_t c) { return c >= U'A' && c <= U'Z' ? c + 32 : c; }

// (?i:'s|'t|'re|'ve|'m|'ll|'d) at i: its length, or 0 (ASCII case folding only)
std::size_t contraction_any_case_at(const std::vector<char32_t>& p, std::size_t i) {
    const std::size_t n = p.size();
    if (p[i] != U'\'' || i + 1 >= n) return 0;
    const char32_t a = lower_ascii(p[i + 1]);
    if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
    if (i + 2 < n) {
        const char32_t b = lower_ascii(p[i + 2]);
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
    }
    return 0;
}

// The end of the Llama 3 / Qwen2 pattern's match at i (max_digits: 3 or 1).
std::size_t llama3_match(const std::vector<char32_t>& p, std::size_t i, std::size_t max_digits) {
    const std::size_t n = p.size();
    if (std::size_t c = contraction_any_case_at(p, i)) return i + c;
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!is_crlf(p[i]) && !is_letter(p[i]) && !is_number(p[i]) && i + 1 < n && is_letter(p[i + 1])) return run_end(p, i + 1, is_letter);
    if (is_letter(p[i])) return run_end(p, i, is_letter);
    // \p{N}{1,max}
    if (is_number(p[i])) {
        std::size_t j = i;
        while (j < n && j - i < max_digits && is_number(p[j])) ++j;
        return j;
    }
    // ' '?[^\s\p{L}\p{N}]+[\r\n]*
    const std::size_t j = (p[i] == U' ' && i + 1 < n) ? i + 1 : i;
    if (is_other(p[j])) return run_end(p, run_end(p, j, is_other), is_crlf);
    // \s*[\r\n]+: up to the last CR or LF of the whitespace run
    const std::size_t run = run_end(p, i, is_space);
    for (std::size_t k = run; k > i; --k)
        if (is_crlf(p[k - 1])) return k;
    // \s+(?!\S), then \s+
    if (run == n) return run;
    return run - i > 1 ? run - 1 : run;
}

}  // namespace

SplitPattern split_pattern_of(const std::string& regex, const std::string& where) {
    static const std::string llama3 =
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static const std::string qwen2 =
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static const std::string gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    if (regex == llama3) return SplitPattern::Llama3;
    if (regex == qwen2) return SplitPattern::Qwen2;
    if (regex == gpt2) return SplitPattern::Gpt2;
    throw Error(where + ": the Split regex " + regex + " is not one attnlab knows (GPT-2's, Llama 3's or Qwen2's)");
}

std::vector<std::pair<std::size_t, std::size_t>> pretokenize(const std::string& text, SplitPattern pattern) {
    std::vector<char32_t> p;
    std::vector<std::size_t> off;
    decode_utf8(text, "text", p, off);
    if (pattern != SplitPattern::Gpt2) {
        std::vector<std::pair<std::size_t, std::size_t>> pieces;
        for (std::size_t i = 0; i < p.size();) {
            const std::size_t end = llama3_match(p, i, pattern == SplitPattern::Llama3 ? 3 : 1);
            pieces.emplace_back(off[i], off[end]);
            i = end;
        }
        return pieces;
    }
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

std::vector<std::pair<std::size_t, std::size_t>> pretokenize(const std::string& text,
                                                             const std::vector<std::pair<std::size_t, std::size_t>>& ranges,
                                                             SplitPattern pattern) {
    if (ranges.size() == 1 && ranges[0].first == 0 && ranges[0].second == text.size()) return pretokenize(text, pattern);
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (const auto& [begin, end] : ranges)
        for (const auto& [b, e] : pretokenize(text.substr(begin, end - begin), pattern)) out.emplace_back(begin + b, begin + e);
    return out;
}

std::vector<std::pair<std::size_t, std::size_t>> split_digits(const std::string& text,
                                                               const std::vector<std::pair<std::size_t, std::size_t>>& ranges,
                                                               bool individual) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    std::vector<char32_t> points;
    std::vector<std::size_t> offsets;
    for (const auto& [begin, end] : ranges) {
        decode_utf8(text.substr(begin, end - begin), "text", points, offsets);
        std::size_t start = 0;  // the current piece's first code point
        for (std::size_t i = 0; i < points.size(); ++i) {
            const bool digit = is_number(points[i]);
            // a piece ends before a digit that follows a non-digit (or any digit, individually), and before a
            // non-digit that follows a digit
            const bool cut = i > start && (digit ? individual || !is_number(points[i - 1]) : is_number(points[i - 1]));
            if (cut) {
                out.emplace_back(begin + offsets[start], begin + offsets[i]);
                start = i;
            }
        }
        if (!points.empty()) out.emplace_back(begin + offsets[start], begin + offsets[points.size()]);
    }
    return out;
}

}  // namespace attnlab
