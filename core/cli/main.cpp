// attnlab: the command-line face of the core. JSON on stdout; errors on stderr with exit code 2.
#include <iostream>
#include <new>

#include "cli/commands.hpp"
#include "error.hpp"

namespace {

const char* k_usage =
    "usage: attnlab COMMAND [flags]\n"
    "  tokenize     --model DIR (--text S | --text-file F)\n"
    "  run          --model DIR (--text S | --text-file F | --ids 1,2,3) [--temperature T]\n"
    "               [--attention all | L:H,L:H...] [--normaliser softmax|topk:K|sparsemax|entmax15|hardmax]\n"
    "               [--normaliser-heads L:H,...]\n"
    "  make-random  --out DIR --layers L --heads H --embd C --ctx T [--dtype F32|F16|BF16] [--seed S]\n"
    "  bench        [--model DIR | --shape gpt2|gpt2-medium] [--tokens N] [--threads N]\n"
    "  analyze selectivity --model DIR (--text S | --text-file F) [--k 1,2,4,8,16] [--eps 0.1]\n"
    "               [--max-tokens N] [--temperature T] [--heads L:H,...] [--normaliser N] [--normaliser-heads L:H,...]\n"
    "  analyze sensitivity --model DIR (--text S | --text-file F) [--temperatures 0.05:5:16]\n"
    "               [--max-tokens N] [--fd-epsilon E]\n"
    "  analyze paper --model DIR (--text S | --text-file F...) [--top-n 1,2,4,8,16,32] [--rho 0.1,0.25,0.5]\n"
    "               [--lengths 16,32,...] [--delta 0.05] [--temperatures 0.05:5:12] [--max-tokens N]\n"
    "  analyze hardmax --model DIR (--text S | --text-file F) [--max-tokens N]\n"
    "  analyze conditioning --model DIR (--text S | --text-file F) [--lengths 16,32,...] [--max-tokens N]\n"
    "  analyze constant --model DIR (--corpus F | --averages F) --eval F [--out F] [--window N]\n"
    "               [--max-windows N] [--eval-windows N]\n"
    "  train        --corpus FILE... --out DIR --layers L --heads H --embd C --ctx T --steps S\n"
    "               [--batch B] [--lr X] [--seed S] [--val-fraction F] [--threads N] [--dtype F32|F16]\n"
    "  eval         --model DIR --corpus FILE... [--val-fraction F]\n"
    "See README.md for every flag and output field.\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace attnlab::cli;
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
        std::cout << k_usage;
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    const Argv rest(argv + 2, argv + argc);
    try {
        if (command == "tokenize") cmd_tokenize(rest);
        else if (command == "run") cmd_run(rest);
        else if (command == "make-random") cmd_make_random(rest);
        else if (command == "bench") cmd_bench(rest);
        else if (command == "analyze") cmd_analyze(rest);
        else if (command == "train") cmd_train(rest);
        else if (command == "eval") cmd_eval(rest);
        else {
            std::cerr << "attnlab: unknown command '" << command << "'\n" << k_usage;
            return 2;
        }
    } catch (const attnlab::Error& e) {
        std::cerr << "attnlab: error: " << e.what() << "\n";
        return 2;
    } catch (const std::bad_alloc&) {
        std::cerr << "attnlab: error: out of memory\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "attnlab: internal error: " << e.what() << "\n";
        return 3;
    }
    return 0;
}
