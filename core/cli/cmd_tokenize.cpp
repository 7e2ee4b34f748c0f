#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/json_out.hpp"
#include "io/checkpoint.hpp"

namespace attnlab::cli {

void cmd_tokenize(const Argv& argv) {
    const Args args(argv, "tokenize", {"model", "text", "text-file"});
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
