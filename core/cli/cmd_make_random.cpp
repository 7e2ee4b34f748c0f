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

void cmd_make_random(const Argv& argv) {
    const Args args(argv, "make-random",
                    {"out", "layers", "heads", "embd", "ctx", "dtype", "seed", "std", "jitter", "tokenizer"},
                    {"prefix", "untied"});
    const std::string out_dir = args.required("out");
    const Config c = config_from_flags(args, "make-random");
    const DType dtype = float_dtype(args.str("dtype", "F32"), "attnlab make-random: --dtype");
    RandomInit init;
    init.seed = static_cast<std::uint64_t>(args.integer("seed", 1, 0, 2147483647));
    init.std = static_cast<float>(args.number("std", 0.02));
    init.jitter = static_cast<float>(args.number("jitter", 0.0));

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
                                                   args.str("tokenizer", ATTNLAB_TOKENIZER_DIR));

    nlohmann::ordered_json out;
    out["out"] = out_dir;
    out["parameters"] = param_count(c);
    out["dtype"] = dtype_name(dtype);
    out["safetensors_bytes"] = bytes;
    print_json(out);
}

}  // namespace attnlab::cli
