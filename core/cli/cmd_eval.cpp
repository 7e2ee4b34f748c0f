#include <algorithm>

#include "analysis/heads.hpp"
#include "analysis/json.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/corpus_input.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"
#include "train/corpus.hpp"

namespace attnlab::cli {

const CommandSpec& eval_spec() {
    static const CommandSpec spec{
        "eval", "a checkpoint on the validation split train used: loss, unigram baseline, previous-token heads, induction",
        {model_flag(), corpus_flag(), val_fraction_flag(), val_corpus_flag(),
         {"window", FlagSpec::Takes::Value, "N", "window length (default: the model's context)"},
         {"induction-length", FlagSpec::Takes::Value, "L", "length of the repeated random sequence (default: min(50, context / 2))"},
         {"trials", FlagSpec::Takes::Value, "N", "random sequences", "10"},
         {"seed", FlagSpec::Takes::Value, "S", "random seed of the induction test", "1"},
         storage_flag()},
        {}};
    return spec;
}

void cmd_eval(const Argv& argv) {
    const Args args(argv, eval_spec());
    const Checkpoint ck = load_model_argument(args);
    const Config& c = ck.model.config;
    const int window = args.integer("window", c.n_positions, 2, c.n_positions);
    const TokenSplit split = read_corpus(args.list("corpus"), ck.tokenizer, args.number("val-fraction"), nullptr, args.list("val-corpus"));
    if (split.val.size() < 2) throw Error("attnlab eval: no validation tokens; raise --val-fraction or give --val-corpus");

    const double val_loss = windowed_loss(ck.model, split.val, window, 1 << 30);
    const UnigramBaseline unigram = unigram_baseline(split, c.vocab_size);

    const std::vector<double> prev = previous_token_scores(ck.model, split.val, window);
    std::vector<int> order(prev.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return prev[a] > prev[b]; });
    Json heads = Json::array();
    for (std::size_t i = 0; i < std::min<std::size_t>(5, order.size()); ++i)
        heads.push_back({{"layer", order[i] / c.n_head}, {"head", order[i] % c.n_head}, {"score", prev[order[i]]}});

    const int length = args.integer("induction-length", std::min(50, c.n_positions / 2), 2, c.n_positions / 2);
    const int trials = args.integer("trials", 1, 100000);
    const auto seed = static_cast<std::uint64_t>(args.integer("seed", 0, 2147483647));
    std::vector<int> seen(split.train.begin(), split.train.end());  // the distinct tokens of the training split
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    const auto induction_json = [&](const InductionResult& r) {
        return Json{{"length", r.length}, {"trials", r.trials}, {"first_copy_loss", r.first_copy_loss},
                    {"second_copy_loss", r.second_copy_loss}, {"gain", r.first_copy_loss - r.second_copy_loss}};
    };

    Json out;
    out["model"] = args.str("model");
    out["train_tokens"] = split.train.size();
    out["val_tokens"] = split.val.size();
    out["val_loss"] = val_loss;
    out["unigram_val_loss"] = unigram.val_loss;
    out["unigram_alpha"] = unigram.alpha;
    out["below_unigram"] = unigram.val_loss - val_loss;
    out["previous_token_heads"] = heads;
    out["induction"] = induction_json(induction_test(ck.model, length, trials, seed));
    out["induction_seen_tokens"] = induction_json(induction_test(ck.model, length, trials, seed, seen));
    out["induction_seen_tokens"]["pool"] = seen.size();
    print_json(out);
}

}  // namespace attnlab::cli
