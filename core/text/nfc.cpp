#include "text/nfc.hpp"

#include <algorithm>
#include <vector>

#include "text/nfc_tables.hpp"
#include "text/utf8.hpp"

namespace attnlab {
namespace {

// Hangul syllables compose and decompose by arithmetic (Unicode 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

unsigned ccc_of(char32_t c) {
    const CombiningClass* end = k_combining_classes + k_combining_class_count;
    const auto* it = std::lower_bound(k_combining_classes, end, c, [](const CombiningClass& e, char32_t x) { return e.cp < x; });
    return it != end && it->cp == c ? it->ccc : 0;
}

void decompose(char32_t c, std::u32string& out) {
    if (c >= kSBase && c < kSBase + kSCount) {
        const char32_t s = c - kSBase;
        out += kLBase + s / kNCount;
        out += kVBase + (s % kNCount) / kTCount;
        if (s % kTCount) out += kTBase + s % kTCount;
        return;
    }
    const Decomposition* end = k_decompositions + k_decomposition_count;
    const auto* it = std::lower_bound(k_decompositions, end, c, [](const Decomposition& e, char32_t x) { return e.cp < x; });
    if (it == end || it->cp != c) {
        out += c;
        return;
    }
    decompose(it->first, out);
    if (it->second) decompose(it->second, out);
}

// The primary composite of (a, b), or 0.
char32_t compose(char32_t a, char32_t b) {
    if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
        return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
    if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase && b < kTBase + kTCount)
        return a + (b - kTBase);
    const Composition* end = k_compositions + k_composition_count;
    const auto* it = std::lower_bound(k_compositions, end, std::make_pair(a, b), [](const Composition& e, const std::pair<char32_t, char32_t>& x) {
        return e.first != x.first ? e.first < x.first : e.second < x.second;
    });
    return it != end && it->first == a && it->second == b ? it->composite : 0;
}

}  // namespace

std::string nfc(const std::string& text) {
    // below U+0300 every character is its own NFC and nothing composes with it
    if (std::all_of(text.begin(), text.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0xCC; })) return text;
    std::vector<char32_t> points;
    std::vector<std::size_t> offsets;
    decode_utf8(text, "text", points, offsets);
    std::u32string d;
    d.reserve(points.size());
    for (char32_t c : points) decompose(c, d);
    // canonical ordering: each run of non-starters sorted by combining class, stably
    for (std::size_t i = 0; i < d.size();) {
        if (ccc_of(d[i]) == 0) { ++i; continue; }
        std::size_t j = i;
        while (j < d.size() && ccc_of(d[j]) != 0) ++j;
        std::stable_sort(d.begin() + static_cast<long>(i), d.begin() + static_cast<long>(j), [](char32_t a, char32_t b) { return ccc_of(a) < ccc_of(b); });
        i = j;
    }
    // canonical composition: a character joins the last starter unless a character between them blocks it
    std::u32string out;
    out.reserve(d.size());
    long starter = -1;
    unsigned last_ccc = 0;
    for (char32_t c : d) {
        const unsigned k = ccc_of(c);
        if (starter >= 0) {
            const bool adjacent = static_cast<std::size_t>(starter) + 1 == out.size();
            const bool blocked = !adjacent && (last_ccc == 0 || last_ccc >= k);
            if (!blocked) {
                if (const char32_t composite = compose(out[static_cast<std::size_t>(starter)], c)) {
                    out[static_cast<std::size_t>(starter)] = composite;
                    continue;
                }
            }
        }
        if (k == 0) starter = static_cast<long>(out.size());
        last_ccc = k;
        out += c;
    }
    std::string utf8;
    utf8.reserve(text.size());
    for (char32_t c : out) append_utf8(c, utf8);
    return utf8;
}

}  // namespace attnlab
