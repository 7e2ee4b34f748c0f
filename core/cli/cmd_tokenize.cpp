#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "io/checkpoint.hpp"

namespace attnlab::cli {

const CommandSpec& tokenize_spec() {
    static const CommandSpec spec{"tokenize", "GPT-2 byte-level BPE: the ids and token strings of a text",
                                  {{"model", FlagSpec::Takes::Value, "DIR", "a checkpoint folder (only its tokenizer files are read)", "", true},
                                   text_flag(), text_file_flag()},
                                  {text_note()}};
    return spec;
}

void cmd_tokenize(const Argv& argv) {
    const Args args(argv, tokenize_spec());
    const std::string dir = args.required("model");
    const std::string text = text_argument(args, "tokenize");
    const Tokenizer tokenizer = load_tokenizer(read_checkpoint_dir(dir, true));
    const std::vector<int> ids = tokenizer.encode(text);
    nlohmann::ordered_json out;
    out["ids"] = ids;
    auto& tokens = out["tokens"] = nlohmann::ordered_json::array();
    for (int id : ids) tokens.push_back(tokenizer.token_bytes(id));
    print_json(out);
}

}  // namespace attnlab::cli
