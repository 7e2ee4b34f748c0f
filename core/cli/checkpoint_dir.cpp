#include "cli/checkpoint_dir.hpp"

#include "cli/files.hpp"
#include "io/config_json.hpp"

namespace attnlab::cli {

std::size_t write_checkpoint_dir(const std::string& out_dir, const Config& config,
                                 const std::vector<TensorToWrite>& tensors, const std::string& tokenizer_dir) {
    const std::string vocab = read_text(tokenizer_dir + "/vocab.json");
    const std::string merges = read_text(tokenizer_dir + "/merges.txt");
    const auto bytes = write_safetensors(tensors, {{"format", "pt"}});
    make_dir(out_dir);
    const std::string json = config_to_json(config);
    write_file(out_dir + "/config.json", json.data(), json.size());
    write_file(out_dir + "/model.safetensors", bytes.data(), bytes.size());
    write_file(out_dir + "/vocab.json", vocab.data(), vocab.size());
    write_file(out_dir + "/merges.txt", merges.data(), merges.size());
    return bytes.size();
}

}  // namespace attnlab::cli
