#include "analysis/run_report.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"

namespace attnlab::cli {

const CommandSpec& run_spec() {
    static const CommandSpec spec{
        "run", "one forward pass: loss, the largest last-position logits and attention rows",
        {model_flag(), text_flag(), text_file_flag(),
         {"ids", FlagSpec::Takes::Value, "1,2,3", "token ids instead of a text"},
         {"temperature", FlagSpec::Takes::Value, "T", "every head uses softmax(scores / T)", "1"},
         {"attention", FlagSpec::Takes::Value, "all|L:H,...", "the heads whose attention rows are printed"},
         {"normaliser", FlagSpec::Takes::Value, "N", "softmax, topk:K, sparsemax, entmax15 or hardmax", "softmax"},
         {"normaliser-heads", FlagSpec::Takes::Value, "L:H,...", "the heads that use --normaliser (default: every head)"},
         storage_flag()},
        {"Give one of --text S, --text-file F (\"-\": standard input) or --ids."}};
    return spec;
}

void cmd_run(const Argv& argv) {
    const Args args(argv, run_spec());
    const Checkpoint ck = load_model_argument(args);
    const std::vector<int> ids = ids_argument(args, ck.tokenizer, "run", true);

    RunRequest r;
    r.temperature = args.number("temperature");
    if (args.str("attention") == "all") r.all_heads = true;
    else if (args.has("attention")) r.heads = parse_heads(args.str("attention"), ck.model.config, "--attention");
    r.normaliser = normaliser_argument(args, ck.model.config);
    print_json(run_report(ck.model, ids, r));
}

}  // namespace attnlab::cli
