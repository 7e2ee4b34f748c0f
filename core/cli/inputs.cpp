#include "cli/inputs.hpp"

#include <cstdio>
#include <iostream>

#include "cli/files.hpp"
#include "error.hpp"

namespace attnlab::cli {

LoadOptions load_options_argument(const Args& args) {
    LoadOptions o;
    if (args.has("storage")) o.storage = parse_weight_storage(args.str("storage"), "--storage");
    return o;
}

Checkpoint load_model_argument(const Args& args) {
    Checkpoint ck = load_checkpoint(read_checkpoint_dir(args.required("model")), load_options_argument(args));
    for (const auto& note : ck.notes) std::cerr << "attnlab: " << note << "\n";
    return ck;
}

std::vector<int> ids_argument(const Args& args, const Tokenizer& tokenizer, const std::string& command, bool allow_ids) {
    if (allow_ids && args.has("ids")) {
        if (args.has("text") || args.has("text-file")) throw Error("attnlab " + command + ": give --ids or a text, not both");
        return args.int_list("ids", {});
    }
    return tokenizer.encode(text_argument(args, command));
}

NormaliserChoice normaliser_argument(const Args& args, const Config& config) {
    NormaliserChoice choice;
    choice.spec = args.str("normaliser", "softmax");
    parse_normaliser(choice.spec, 1.0f, "--normaliser");  // refuse a bad name before any work
    if (args.has("normaliser-heads")) {
        choice.all_heads = false;
        choice.heads = parse_heads(args.str("normaliser-heads"), config, "--normaliser-heads");
    }
    return choice;
}

Config config_from_flags(const Args& args, const std::string& command) {
    for (const char* f : {"layers", "heads", "embd", "ctx"}) args.required(f);
    Config c;
    c.n_layer = args.integer("layers", 0, 1, 512);
    c.n_head = args.integer("heads", 0, 1, 1024);
    c.n_embd = args.integer("embd", 0, 1, 65536);
    c.n_positions = args.integer("ctx", 0, 2, 1 << 20);
    c.vocab_size = 50257;
    c.validate("attnlab " + command);
    return c;
}

std::vector<HeadId> parse_heads(const std::string& spec, const Config& c, const std::string& flag) {
    std::vector<HeadId> heads;
    std::size_t pos = 0;
    while (pos < spec.size()) {
        std::size_t comma = spec.find(',', pos);
        if (comma == std::string::npos) comma = spec.size();
        const std::string item = spec.substr(pos, comma - pos);
        int layer = -1, head = -1;
        char tail = 0;
        if (std::sscanf(item.c_str(), "%d:%d%c", &layer, &head, &tail) != 2)
            throw Error(flag + ": '" + item + "' is not LAYER:HEAD (e.g. 0:3)" + (flag == "--attention" ? " or 'all'" : ""));
        if (layer < 0 || layer >= c.n_layer || head < 0 || head >= c.n_head)
            throw Error(flag + ": " + item + " is outside this model (layers 0.." + std::to_string(c.n_layer - 1) +
                        ", heads 0.." + std::to_string(c.n_head - 1) + ")");
        heads.push_back({layer, head});
        pos = comma + 1;
    }
    return heads;
}

}  // namespace attnlab::cli
