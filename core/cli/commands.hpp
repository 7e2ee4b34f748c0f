// The attnlab subcommands. Each declares its flags (the parser and the help read them) and runs: parses its
// flags, calls the core, prints JSON on stdout.
#pragma once
#include <string>
#include <vector>

#include "cli/command_spec.hpp"

namespace attnlab::cli {

using Argv = std::vector<std::string>;

struct Command {
    const char* name;
    const CommandSpec& (*spec)();
    void (*run)(const Argv&);
};
// Every command but analyze, in the order the usage lists them.
const std::vector<Command>& commands();

const CommandSpec& tokenize_spec();
void cmd_tokenize(const Argv& argv);
const CommandSpec& run_spec();
void cmd_run(const Argv& argv);
const CommandSpec& make_random_spec();
void cmd_make_random(const Argv& argv);
const CommandSpec& bench_spec();
void cmd_bench(const Argv& argv);
const CommandSpec& train_spec();
void cmd_train(const Argv& argv);
const CommandSpec& eval_spec();
void cmd_eval(const Argv& argv);

// analyze NAME: one command per analysis of the core's table; Error for an unknown name.
const CommandSpec& analyze_spec(const std::string& analysis);
void cmd_analyze(const Argv& argv);

}  // namespace attnlab::cli
