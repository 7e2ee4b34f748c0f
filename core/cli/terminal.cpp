#include "cli/terminal.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace attnlab::cli {
namespace {

// The length of the valid UTF-8 sequence at text[i] and its code point, or 0 when the bytes there are not one.
std::size_t utf8_at(std::string_view text, std::size_t i, char32_t& cp) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char lead = b(0);
    std::size_t n = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > text.size()) return 0;
    cp = n == 1 ? lead : lead & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3f);
    }
    static const char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};  // overlong encodings are not valid
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    char buf[8];
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        const std::size_t n = utf8_at(text, i, cp);
        if (n == 0) {  // not UTF-8: the byte as \xNN (a lone 0x9b is CSI to a Latin-1 terminal)
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[i]));
            out += buf;
            ++i;
            continue;
        }
        if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
            out += buf;
        } else if (cp >= 0x80 && cp <= 0x9f) {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(text.substr(i, n));
        }
        i += n;
    }
    return out;
}

void say(std::string_view line) { std::cerr << "attnlab: " << terminal_safe(line) << "\n"; }

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

}  // namespace attnlab::cli
