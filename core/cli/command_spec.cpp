#include "cli/command_spec.hpp"

#include <algorithm>
#include <cstdio>

namespace attnlab::cli {
namespace {

std::string flag_words(const FlagSpec& f) {
    std::string s = "--" + f.name;
    if (f.takes == FlagSpec::Takes::Value) s += " " + f.value;
    if (f.takes == FlagSpec::Takes::List) s += " " + f.value + " [" + f.value + " ...]";
    return s;
}

}  // namespace

std::string usage_line(const CommandSpec& spec) {
    std::string s = "attnlab " + spec.name;
    for (const auto& f : spec.flags) s += " " + (f.required ? flag_words(f) : "[" + flag_words(f) + "]");
    return s;
}

std::string help_text(const CommandSpec& spec) {
    std::string out = "attnlab " + spec.name + ": " + spec.summary + "\n";
    std::size_t width = 0;
    for (const auto& f : spec.flags) width = std::max(width, flag_words(f).size());
    for (const auto& f : spec.flags) {
        const std::string words = flag_words(f);
        out += "  " + words + std::string(width - words.size() + 2, ' ') + f.help;
        if (f.required) out += " (required)";
        if (!f.default_text.empty()) out += " (default: " + f.default_text + ")";
        out += "\n";
    }
    for (const auto& n : spec.notes) out += n + "\n";
    return out;
}

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

FlagSpec model_flag() { return {"model", FlagSpec::Takes::Value, "DIR", "a Hugging Face checkpoint folder (GPT-2, Llama, Qwen2/3, GPT-NeoX, GPT-Neo)", "", true}; }

FlagSpec storage_flag() {
    return {"storage", FlagSpec::Takes::Value, "f32|f16|auto",
            "how weight matrices are kept: f32; f16 (half the memory); auto (F16 files stay F16)", "f32"};
}

}  // namespace attnlab::cli
