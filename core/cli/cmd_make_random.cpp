#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/checkpoint_dir.hpp"
#include "cli/files.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"
#include "io/checkpoint_writer.hpp"
#include "model/random_init.hpp"
#include "model/weights.hpp"
#include "util/rng.hpp"

namespace attnlab::cli {

const CommandSpec& make_random_spec() {
    static const CommandSpec spec{
        "make-random", "writes a random GPT-2 checkpoint in the Hugging Face layout, for tests and benchmarks",
        [] {
            std::vector<FlagSpec> f = {{"out", FlagSpec::Takes::Value, "DIR", "the folder to write", "", true}};
            for (const auto& s : shape_flags()) f.push_back(s);
            const std::vector<FlagSpec> rest = {
                {"dtype", FlagSpec::Takes::Value, "F32|F16|BF16", "storage type of the weights", "F32"},
                {"seed", FlagSpec::Takes::Value, "S", "random seed", std::to_string(RandomInit{}.seed)},
                {"std", FlagSpec::Takes::Value, "X", "weight scale", number_text(RandomInit{}.std)},
                {"jitter", FlagSpec::Takes::Value, "X", "random layer-norm gains and biases", number_text(RandomInit{}.jitter)},
                {"prefix", FlagSpec::Takes::Switch, "", "tensor names with the transformer. prefix"},
                {"untied", FlagSpec::Takes::Switch, "", "store a separate lm_head.weight"},
                tokenizer_flag()};
            f.insert(f.end(), rest.begin(), rest.end());
            return f;
        }(),
        {}};
    return spec;
}

void cmd_make_random(const Argv& argv) {
    const Args args(argv, make_random_spec());
    const std::string out_dir = args.required("out");
    const Config c = config_from_flags(args, "make-random");
    const DType dtype = float_dtype(args.str("dtype"), "attnlab make-random: --dtype");
    RandomInit init;
    init.seed = static_cast<std::uint64_t>(args.integer("seed", static_cast<int>(init.seed), 0, 2147483647));
    init.std = static_cast<float>(args.number("std", init.std));
    init.jitter = static_cast<float>(args.number("jitter", init.jitter));

    const std::vector<float> params = random_params(c, init);
    WeightsLayout layout;
    layout.dtype = dtype;
    if (args.has("prefix")) layout.prefix = "transformer.";
    std::vector<float> head;
    if (args.has("untied")) {
        Rng rng(init.seed ^ 0x5eedull);
        head.resize(static_cast<std::size_t>(c.vocab_size) * c.n_embd);
        for (auto& v : head) v = static_cast<float>(rng.normal()) * init.std;
        layout.lm_head = &head;
    }
    const std::size_t bytes = write_checkpoint_dir(out_dir, c, weight_tensors(c, params.data(), layout),
                                                   args.str("tokenizer"));

    nlohmann::ordered_json out;
    out["out"] = out_dir;
    out["parameters"] = param_count(c);
    out["dtype"] = dtype_name(dtype);
    out["safetensors_bytes"] = bytes;
    print_json(out);
}

}  // namespace attnlab::cli
