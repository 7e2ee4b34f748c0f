// attnlab: the command-line face of the core. JSON on stdout; errors on stderr with exit code 2.
// `attnlab help [COMMAND [ANALYSIS]]` and `attnlab COMMAND ... --help` print what a command accepts, read
// from the same declarations its flag parser reads.
#include <algorithm>
#include <iostream>
#include <new>

#include "analysis/registry.hpp"
#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "error.hpp"
#include "util/eigen_blocking.hpp"

namespace attnlab::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> list = {
        {"tokenize", tokenize_spec, cmd_tokenize},    {"run", run_spec, cmd_run},
        {"make-random", make_random_spec, cmd_make_random}, {"bench", bench_spec, cmd_bench},
        {"train", train_spec, cmd_train},             {"eval", eval_spec, cmd_eval},
    };
    return list;
}

namespace {

std::string usage() {
    std::string s = "usage: attnlab COMMAND [flags]\n";
    for (const auto& c : commands()) s += "  " + std::string(c.name) + std::string(14 - std::string(c.name).size(), ' ') + c.spec().summary + "\n";
    s += "  analyze NAME  one of the analyses:\n";
    for (const auto& a : analyses()) s += "    " + a.name + std::string(14 - a.name.size(), ' ') + a.summary + "\n";
    s += "attnlab help COMMAND (or help analyze NAME) lists a command's flags with their defaults; README.md the output fields.\n";
    return s;
}

// The help of `command` (and, for analyze, of the analysis named next).
std::string help_for(const std::vector<std::string>& words) {
    if (words.empty()) return usage();
    if (words[0] == "analyze") {
        if (words.size() < 2 || words[1].rfind("--", 0) == 0) return usage();
        return help_text(analyze_spec(words[1]));
    }
    for (const auto& c : commands())
        if (words[0] == c.name) return help_text(c.spec());
    throw Error("no command '" + words[0] + "'\n" + usage());
}

}  // namespace
}  // namespace attnlab::cli

int main(int argc, char** argv) {
    using namespace attnlab::cli;
    attnlab::fix_eigen_blocking();  // the same bits on every CPU of the build's instruction set
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.empty()) {
            std::cout << usage();
            return 2;
        }
        if (args[0] == "help" || args[0] == "--help") {
            std::cout << help_for(std::vector<std::string>(args.begin() + 1, args.end()));
            return 0;
        }
        if (std::find(args.begin(), args.end(), "--help") != args.end()) {
            std::cout << help_for(args);
            return 0;
        }
        const Argv rest(args.begin() + 1, args.end());
        if (args[0] == "analyze") {
            cmd_analyze(rest);
            return 0;
        }
        for (const auto& c : commands())
            if (args[0] == c.name) {
                c.run(rest);
                return 0;
            }
        say("unknown command '" + args[0] + "'");
        std::cerr << usage();
        return 2;
    } catch (const attnlab::Error& e) {
        say(std::string("error: ") + e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        say("error: out of memory");
        return 2;
    } catch (const std::exception& e) {
        say(std::string("internal error: ") + e.what());
        return 3;
    }
}
