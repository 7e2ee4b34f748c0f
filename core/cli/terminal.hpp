// What the CLI writes for a person at a terminal. Names and bytes read from a checkpoint (tensor names, vocab
// entries, paths) can hold control characters that a terminal acts on: ESC starts sequences that retitle the
// window, move the cursor or clear the screen. Everything the CLI prints to stderr goes through terminal_safe,
// and JSON on stdout is written as ASCII when stdout is a terminal (json_out.hpp).
#pragma once
#include <string>
#include <string_view>

namespace attnlab::cli {

// `text` with every control character a terminal would act on written as a visible escape: C0 (U+0000-U+001F)
// except newline and tab, and DEL, as \xNN; C1 (U+0080-U+009F, as UTF-8 encodes them: C2 80-C2 9F) as \u00NN.
// Bytes that are not UTF-8 as \xNN; everything else unchanged.
std::string terminal_safe(std::string_view text);

// One line on stderr: "attnlab: " + terminal_safe(line).
void say(std::string_view line);

// True when stdout is a terminal.
bool stdout_is_terminal();

}  // namespace attnlab::cli
