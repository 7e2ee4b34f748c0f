#include "cli/checkpoint_dir.hpp"

#include "cli/files.hpp"
#include "io/config_json.hpp"

namespace attnlab::cli {

std::size_t write_checkpoint_dir(const std::string& out_dir, const Config& config,
                                 const std::vector<TensorToWrite>& tensors, const std::string& tokenizer_dir) {
    // the tokenizer's files as they are: tokenizer.json when the folder has one, else vocab.json + merges.txt
    std::vector<std::string> names = {"tokenizer.json"};
    if (!file_exists(tokenizer_dir + "/tokenizer.json")) names = {"vocab.json", "merges.txt"};
    std::vector<std::string> texts;
    for (const auto& name : names) texts.push_back(read_text(tokenizer_dir + "/" + name));
    const auto bytes = write_safetensors(tensors, {{"format", "pt"}});
    make_dir(out_dir);
    const std::string json = config_to_json(config);
    write_file(out_dir + "/config.json", json.data(), json.size());
    write_file(out_dir + "/model.safetensors", bytes.data(), bytes.size());
    for (std::size_t i = 0; i < names.size(); ++i) write_file(out_dir + "/" + names[i], texts[i].data(), texts[i].size());
    return bytes.size();
}

}  // namespace attnlab::cli
