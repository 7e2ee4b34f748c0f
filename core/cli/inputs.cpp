#include "cli/inputs.hpp"

#include <cstdio>
#include <iostream>

#include "cli/checkpoint_dir.hpp"
#include "cli/files.hpp"
#include "cli/terminal.hpp"
#include "error.hpp"
#include "model/packed_weights.hpp"

namespace attnlab::cli {

FlagSpec text_flag() { return {"text", FlagSpec::Takes::Value, "S", "the text"}; }
FlagSpec text_file_flag() { return {"text-file", FlagSpec::Takes::Value, "F", "the text of a file (\"-\": standard input)"}; }
std::string text_note() { return "Give --text S or --text-file F, one of them."; }

std::vector<FlagSpec> shape_flags() {
    return {{"layers", FlagSpec::Takes::Value, "L", "layers", "", true},
            {"heads", FlagSpec::Takes::Value, "H", "heads per layer", "", true},
            {"embd", FlagSpec::Takes::Value, "C", "channels (a multiple of --heads)", "", true},
            {"ctx", FlagSpec::Takes::Value, "T", "context length (positions)", "", true}};
}

FlagSpec tokenizer_flag() {
    return {"tokenizer", FlagSpec::Takes::Value, "DIR", "where tokenizer.json, or vocab.json and merges.txt, come from", ATTNLAB_TOKENIZER_DIR};
}

FlagSpec corpus_flag() {
    return {"corpus", FlagSpec::Takes::List, "FILE", "text files, one document each (their last --val-fraction is validation)", "", true};
}

FlagSpec val_corpus_flag() {
    return {"val-corpus", FlagSpec::Takes::List, "FILE", "text files kept whole for validation, beside each --corpus file's last --val-fraction"};
}

FlagSpec val_fraction_flag() {
    return {"val-fraction", FlagSpec::Takes::Value, "F", "the share of each corpus file's tokens kept for validation", "0.05"};
}

LoadOptions load_options_argument(const Args& args) {
    LoadOptions o;
    o.storage = parse_weight_storage(args.str("storage"), "--storage");
    return o;
}

Checkpoint load_checkpoint_dir(const std::string& dir, const LoadOptions& options, bool pack) {
    const std::vector<NamedBuffer> files = read_checkpoint_dir(dir);
    Checkpoint ck = load_checkpoint(files, options);
    if (pack) pack_for_gemm(ck.model.weights, [&](const void* data, std::size_t bytes) { release_mapped_pages(files, data, bytes); });
    return ck;
}

Checkpoint load_model_argument(const Args& args, bool pack) {
    Checkpoint ck = load_checkpoint_dir(args.required("model"), load_options_argument(args), pack);
    for (const auto& note : ck.notes) say(note);
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
    choice.spec = args.str("normaliser");
    parse_normaliser(choice.spec, 1.0f, "--normaliser");  // refuse a bad name before any work
    if (args.has("normaliser-heads")) choice.heads = parse_heads(args.str("normaliser-heads"), config, "--normaliser-heads");
    return choice;
}

Config config_from_flags(const Args& args, const std::string& command) {
    Config c;
    c.n_layer = args.integer("layers", 0, 1, 512);
    c.n_head = args.integer("heads", 0, 1, 1024);
    c.n_embd = args.integer("embd", 0, 1, 65536);
    c.n_positions = args.integer("ctx", 0, 2, 1 << 20);
    c.vocab_size = 50257;
    c.validate("attnlab " + command);
    return c;
}

std::vector<HeadId> parse_head_list(const std::string& spec, const std::string& flag) {
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
        heads.push_back({layer, head});
        pos = comma + 1;
    }
    return heads;
}

std::vector<HeadId> parse_heads(const std::string& spec, const Config& c, const std::string& flag) {
    const std::vector<HeadId> heads = parse_head_list(spec, flag);
    for (const HeadId& h : heads)
        if (h.layer < 0 || h.layer >= c.n_layer || h.head < 0 || h.head >= c.n_head)
            throw Error(flag + ": " + std::to_string(h.layer) + ":" + std::to_string(h.head) + " is outside this model (layers 0.." +
                        std::to_string(c.n_layer - 1) + ", heads 0.." + std::to_string(c.n_head - 1) + ")");
    return heads;
}

}  // namespace attnlab::cli
