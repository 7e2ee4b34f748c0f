#include <iostream>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"
#include "io/safetensors.hpp"
#include "model/random_init.hpp"
#include "model/weights.hpp"
#include "util/rng.hpp"

#ifndef ATTNLAB_TOKENIZER_DIR
#define ATTNLAB_TOKENIZER_DIR "models/gpt2-tokenizer"
#endif

namespace attnlab::cli {
namespace {

DType parse_dtype(const std::string& s) {
    if (s == "F32") return DType::F32;
    if (s == "F16") return DType::F16;
    if (s == "BF16") return DType::BF16;
    throw Error("attnlab make-random: --dtype must be F32, F16 or BF16 (got '" + s + "')");
}

}  // namespace

void cmd_make_random(const Argv& argv) {
    const Args args(argv, "make-random",
                    {"out", "layers", "heads", "embd", "ctx", "dtype", "seed", "std", "jitter", "tokenizer"},
                    {"prefix", "untied"});
    const std::string out_dir = args.required("out");
    for (const char* f : {"layers", "heads", "embd", "ctx"}) args.required(f);
    Config c;
    c.n_layer = args.integer("layers", 0, 1, 512);
    c.n_head = args.integer("heads", 0, 1, 1024);
    c.n_embd = args.integer("embd", 0, 1, 65536);
    c.n_positions = args.integer("ctx", 0, 1, 1 << 20);
    c.vocab_size = 50257;
    c.validate("attnlab make-random");
    const DType dtype = parse_dtype(args.str("dtype", "F32"));
    RandomInit init;
    init.seed = static_cast<std::uint64_t>(args.integer("seed", 1, 0, 2147483647));
    init.std = static_cast<float>(args.number("std", 0.02));
    init.jitter = static_cast<float>(args.number("jitter", 0.0));

    const std::string tok_dir = args.str("tokenizer", ATTNLAB_TOKENIZER_DIR);
    const std::string vocab = read_text(tok_dir + "/vocab.json");
    const std::string merges = read_text(tok_dir + "/merges.txt");

    const std::vector<float> params = random_params(c, init);
    std::vector<TensorToWrite> tensors;
    const float* p = params.data();
    const std::string prefix = args.has("prefix") ? "transformer." : "";
    for (const auto& spec : param_specs(c)) {
        tensors.push_back({prefix + spec.name, dtype, spec.shape, encode_floats(p, static_cast<std::size_t>(spec.count()), dtype)});
        p += spec.count();
    }
    if (args.has("untied")) {
        Rng rng(init.seed ^ 0x5eedull);
        std::vector<float> head(static_cast<std::size_t>(c.vocab_size) * c.n_embd);
        for (auto& v : head) v = static_cast<float>(rng.normal()) * init.std;
        tensors.push_back({"lm_head.weight", dtype, {c.vocab_size, c.n_embd}, encode_floats(head.data(), head.size(), dtype)});
    }
    const auto bytes = write_safetensors(tensors, {{"format", "pt"}});

    make_dir(out_dir);
    const std::string config = config_to_json(c);
    write_file(out_dir + "/config.json", config.data(), config.size());
    write_file(out_dir + "/model.safetensors", bytes.data(), bytes.size());
    write_file(out_dir + "/vocab.json", vocab.data(), vocab.size());
    write_file(out_dir + "/merges.txt", merges.data(), merges.size());

    nlohmann::ordered_json out;
    out["out"] = out_dir;
    out["parameters"] = param_count(c);
    out["dtype"] = dtype_name(dtype);
    out["safetensors_bytes"] = bytes.size();
    print_json(out);
}

}  // namespace attnlab::cli
