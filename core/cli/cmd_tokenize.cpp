#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"
#include "io/checkpoint.hpp"

namespace attnlab::cli {

const CommandSpec& tokenize_spec() {
    static const CommandSpec spec{"tokenize", "BPE tokenization (vocab.json + merges.txt, or tokenizer.json): the ids and token strings of a text",
                                  {{"model", FlagSpec::Takes::Value, "DIR", "a checkpoint folder (only its tokenizer files are read)", "", true},
                                   text_flag(), text_file_flag(),
                                   {"texts-json", FlagSpec::Takes::Value, "FILE",
                                    "a JSON array of texts, each tokenized on its own: prints {\"texts\": [{ids, tokens}, ...]}"}},
                                  {"Give one of --text S, --text-file F or --texts-json F."}};
    return spec;
}

namespace {

nlohmann::ordered_json tokenized(const Tokenizer& tokenizer, const std::string& text) {
    const std::vector<int> ids = tokenizer.encode(text);
    nlohmann::ordered_json out;
    out["ids"] = ids;
    auto& tokens = out["tokens"] = nlohmann::ordered_json::array();
    for (int id : ids) tokens.push_back(tokenizer.token_bytes(id));
    return out;
}

}  // namespace

void cmd_tokenize(const Argv& argv) {
    const Args args(argv, tokenize_spec());
    const std::string dir = args.required("model");
    if (args.has("texts-json")) {
        if (args.has("text") || args.has("text-file"))
            throw Error("attnlab tokenize: give --texts-json F, or one of --text S / --text-file F, not both");
        const std::string path = args.str("texts-json");
        nlohmann::json texts;
        try {
            texts = nlohmann::json::parse(read_text(path));
        } catch (const nlohmann::json::exception& e) {
            throw Error(path + ": not valid JSON (" + std::string(e.what()) + ")");
        }
        if (!texts.is_array()) throw Error(path + ": expected a JSON array of strings");
        const Tokenizer tokenizer = load_tokenizer(read_checkpoint_dir(dir, true));
        nlohmann::ordered_json out;
        auto& list = out["texts"] = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < texts.size(); ++i) {
            if (!texts[i].is_string()) throw Error(path + ": entry " + std::to_string(i) + " is not a string");
            list.push_back(tokenized(tokenizer, texts[i].get<std::string>()));
        }
        print_json(out);
        return;
    }
    const std::string text = text_argument(args, "tokenize");
    print_json(tokenized(load_tokenizer(read_checkpoint_dir(dir, true)), text));
}

}  // namespace attnlab::cli
