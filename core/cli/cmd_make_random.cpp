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
        "make-random", "writes a random checkpoint in the Hugging Face layout of its family, for tests and benchmarks",
        [] {
            std::vector<FlagSpec> f = {{"out", FlagSpec::Takes::Value, "DIR", "the folder to write", "", true}};
            for (const auto& s : shape_flags()) f.push_back(s);
            const std::vector<FlagSpec> rest = {
                {"family", FlagSpec::Takes::Value, "NAME", "gpt2, llama, qwen2, qwen3, gpt-neox or gpt-neo", "gpt2"},
                {"kv-heads", FlagSpec::Takes::Value, "N", "key/value heads (grouped-query attention; llama, qwen2, qwen3)", "0"},
                {"head-dim", FlagSpec::Takes::Value, "D", "head size when not embd / heads (qwen3)", "0"},
                {"inner", FlagSpec::Takes::Value, "I", "the MLP's width (0: 4 x embd)", "0"},
                {"rotary-pct", FlagSpec::Takes::Value, "X", "share of each head's dimensions that rotate (gpt-neox)", "0.25"},
                {"rope-theta", FlagSpec::Takes::Value, "X", "rotary base (llama, qwen2, qwen3, gpt-neox)", "10000"},
                {"sequential-residual", FlagSpec::Takes::Switch, "", "gpt-neox: x + attn, then + mlp (default: parallel)"},
                {"window", FlagSpec::Takes::Value, "W", "gpt-neo: layers alternate global and local, local ones seeing the last W keys", "0"},
                {"vocab", FlagSpec::Takes::Value, "V", "vocabulary size (at least the tokenizer's)", "50257"},
                {"dtype", FlagSpec::Takes::Value, "F32|F16|BF16", "storage type of the weights", "F32"},
                {"seed", FlagSpec::Takes::Value, "S", "random seed", std::to_string(RandomInit{}.seed)},
                {"std", FlagSpec::Takes::Value, "X", "weight scale", number_text(RandomInit{}.std)},
                {"jitter", FlagSpec::Takes::Value, "X", "random layer-norm gains and biases", number_text(RandomInit{}.jitter)},
                {"prefix", FlagSpec::Takes::Switch, "", "tensor names with the transformer. prefix"},
                {"untied", FlagSpec::Takes::Switch, "", "store a separate output layer (lm_head.weight, embed_out.weight)"},
                tokenizer_flag()};
            f.insert(f.end(), rest.begin(), rest.end());
            return f;
        }(),
        {}};
    return spec;
}

namespace {

// The shape flags, then the family's own: each family's defaults are its Hugging Face config's.
Config family_config(const Args& args) {
    Config c = config_from_flags(args, "make-random");
    const std::string family = args.str("family");
    c.vocab_size = args.integer("vocab", 1, 1 << 22);
    c.n_inner = args.integer("inner", 0, 1 << 20);
    c.tied_head = !args.has("untied");
    const bool llama_like = family == "llama" || family == "qwen2" || family == "qwen3";
    if (family == "gpt2") {
    } else if (llama_like) {
        c.n_kv_head = args.integer("kv-heads", 0, c.n_head);
        c.head_size = args.integer("head-dim", 0, 65536);
        set_family(c, family == "llama" ? Family::Llama : family == "qwen2" ? Family::Qwen2 : Family::Qwen3);
        c.tied_head = !args.has("untied");
        c.rope_theta = args.number("rope-theta");
        if (c.n_inner == 0) c.n_inner = 4 * c.n_embd;
    } else if (family == "gpt-neox") {
        set_family(c, Family::GptNeoX);  // untied, whatever --untied says: Pythia's embed_out is its own
        c.parallel_residual = !args.has("sequential-residual");
        c.rope_theta = args.number("rope-theta");
        c.rotary_dim = static_cast<int>(c.head_dim() * args.number("rotary-pct"));
        if (c.n_inner == 0) c.n_inner = 4 * c.n_embd;
    } else if (family == "gpt-neo") {
        set_family(c, Family::GptNeo);
        if (const int window = args.integer("window", 0, 1 << 20); window > 0) {
            c.window = window;
            for (int l = 0; l < c.n_layer; ++l) c.local_layers.push_back(l % 2 == 1);
        }
    } else
        throw Error("attnlab make-random: --family must be gpt2, llama, qwen2, qwen3, gpt-neox or gpt-neo (got '" + family + "')");
    c.validate("attnlab make-random");
    return c;
}

}  // namespace

void cmd_make_random(const Argv& argv) {
    const Args args(argv, make_random_spec());
    const std::string out_dir = args.required("out");
    const Config c = family_config(args);
    const DType dtype = float_dtype(args.str("dtype"), "attnlab make-random: --dtype");
    RandomInit init;
    init.seed = static_cast<std::uint64_t>(args.integer("seed", static_cast<int>(init.seed), 0, 2147483647));
    init.std = static_cast<float>(args.number("std", init.std));
    init.jitter = static_cast<float>(args.number("jitter", init.jitter));

    const std::vector<float> params = random_params(c, init);
    WeightsLayout layout;
    layout.dtype = dtype;
    if (args.has("prefix")) {
        if (c.family != Family::Gpt2) throw Error("attnlab make-random: --prefix is for GPT-2 (the other families' names are fixed)");
        layout.prefix = "transformer.";
    }
    std::vector<float> head;
    if (!c.tied_head) {
        Rng rng(init.seed ^ 0x5eedull);
        head.resize(static_cast<std::size_t>(c.vocab_size) * c.n_embd);
        for (auto& v : head) v = static_cast<float>(rng.normal()) * init.std;
        layout.lm_head = &head;
    }
    const std::size_t bytes = write_checkpoint_dir(out_dir, c, weight_tensors(c, params.data(), layout),
                                                   args.str("tokenizer"));

    nlohmann::ordered_json out;
    out["out"] = out_dir;
    out["family"] = family_name(c.family);
    out["parameters"] = param_count(c) + static_cast<std::int64_t>(head.size());
    out["dtype"] = dtype_name(dtype);
    out["safetensors_bytes"] = bytes;
    print_json(out);
}

}  // namespace attnlab::cli
