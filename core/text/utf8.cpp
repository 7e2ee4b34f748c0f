#include "text/utf8.hpp"

#include "error.hpp"

namespace attnlab {

void decode_utf8(const std::string& text, const std::string& what, std::vector<char32_t>& points,
                 std::vector<std::size_t>& offsets) {
    points.clear();
    offsets.clear();
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        offsets.push_back(i);
        const unsigned char b = s[i];
        int len;
        char32_t cp;
        char32_t min;
        if (b < 0x80) { len = 1; cp = b; min = 0; }
        else if ((b & 0xe0) == 0xc0) { len = 2; cp = b & 0x1f; min = 0x80; }
        else if ((b & 0xf0) == 0xe0) { len = 3; cp = b & 0x0f; min = 0x800; }
        else if ((b & 0xf8) == 0xf0) { len = 4; cp = b & 0x07; min = 0x10000; }
        else throw Error(what + ": not valid UTF-8 at byte " + std::to_string(i) + " (unexpected byte 0x" +
                         "0123456789abcdef"[b >> 4] + "0123456789abcdef"[b & 15] + ")");
        if (i + len > n) throw Error(what + ": not valid UTF-8 at byte " + std::to_string(i) + " (sequence cut short at the end)");
        for (int k = 1; k < len; ++k) {
            if ((s[i + k] & 0xc0) != 0x80)
                throw Error(what + ": not valid UTF-8 at byte " + std::to_string(i) + " (a " + std::to_string(len) +
                            "-byte sequence is broken off at byte " + std::to_string(i + k) + ")");
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            throw Error(what + ": not valid UTF-8 at byte " + std::to_string(i) + " (overlong, surrogate or out of range)");
        points.push_back(cp);
        i += len;
    }
    offsets.push_back(n);
}

void append_utf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

}  // namespace attnlab
