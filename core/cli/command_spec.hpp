// What a command accepts, declared once: the flag parser (Args) and the help text (`attnlab help CMD`,
// `attnlab CMD --help`) are both read from it, so a flag cannot be accepted and missing from the help.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace attnlab::cli {

struct FlagSpec {
    enum class Takes { Value, Switch, List };
    FlagSpec(std::string name_, Takes takes_, std::string value_, std::string help_, std::string default_text_ = "",
             bool required_ = false)
        : name(std::move(name_)), takes(takes_), value(std::move(value_)), help(std::move(help_)),
          default_text(std::move(default_text_)), required(required_) {}
    std::string name;          // without the leading --
    Takes takes = Takes::Value;
    std::string value;         // the value's placeholder in the help ("DIR", "N", "1,2,4")
    std::string help;          // one line
    std::string default_text;  // printed as "(default: ...)"; a literal the command reads as its default
    bool required = false;
};

struct CommandSpec {
    std::string name;     // "run", "analyze selectivity"
    std::string summary;  // one line
    std::vector<FlagSpec> flags;
    std::vector<std::string> notes;  // lines after the flags ("give --text S or --text-file F")
};

// "--name VALUE  help (default: d)" per flag, then the notes.
std::string help_text(const CommandSpec& spec);
// "attnlab NAME --a A [--b B] ..." on one line.
std::string usage_line(const CommandSpec& spec);
// --model DIR and --storage, as every command that loads a checkpoint takes them.
FlagSpec model_flag();
// A number as a default's text: "0.02", "1e-3" (shortest of %g).
std::string number_text(double v);
FlagSpec storage_flag();

}  // namespace attnlab::cli
