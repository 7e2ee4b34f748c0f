// The attnlab subcommands. Each parses its flags, calls the core and prints JSON on stdout.
#pragma once
#include <string>
#include <vector>

namespace attnlab::cli {

using Argv = std::vector<std::string>;

void cmd_tokenize(const Argv& argv);
void cmd_run(const Argv& argv);
void cmd_make_random(const Argv& argv);
void cmd_bench(const Argv& argv);
void cmd_analyze(const Argv& argv);
void cmd_train(const Argv& argv);
void cmd_eval(const Argv& argv);

}  // namespace attnlab::cli
