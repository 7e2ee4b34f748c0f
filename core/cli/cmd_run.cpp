#include "analysis/reports.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"

namespace attnlab::cli {

void cmd_run(const Argv& argv) {
    const Args args(argv, "run", {"model", "text", "text-file", "ids", "temperature", "attention", "storage", "normaliser", "normaliser-heads"});
    const Checkpoint ck = load_model_argument(args);
    const std::vector<int> ids = ids_argument(args, ck.tokenizer, "run", true);

    RunRequest r;
    r.temperature = args.number("temperature", 1.0);
    if (args.str("attention") == "all") r.all_heads = true;
    else if (args.has("attention")) r.heads = parse_heads(args.str("attention"), ck.model.config, "--attention");
    r.normaliser = normaliser_argument(args, ck.model.config);
    print_json(run_report(ck.model, ids, r));
}

}  // namespace attnlab::cli
