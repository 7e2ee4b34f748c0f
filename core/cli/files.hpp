// File access for the CLI: the core never touches paths, so reading checkpoints and texts lives here.
#pragma once
#include <string>
#include <vector>

#include "io/checkpoint.hpp"
#include "tensor.hpp"

namespace attnlab::cli {

SharedBytes map_file(const std::string& path);  // read-only memory map (no copy)
std::string read_text(const std::string& path);  // "-" reads standard input
bool file_exists(const std::string& path);
void write_file(const std::string& path, const void* data, std::size_t size);
void make_dir(const std::string& path);

// The checkpoint files present in `dir` (config, weights, tokenizer); with tokenizer_only, just the latter.
std::vector<NamedBuffer> read_checkpoint_dir(const std::string& dir, bool tokenizer_only = false);

// Lets the pages of [data, data + bytes) go where that range lies in one of `files`' maps (whole pages inside it): a
// later read maps them from the file again. Anything else (a buffer the loader filled) is left as it is.
void release_mapped_pages(const std::vector<NamedBuffer>& files, const void* data, std::size_t bytes);

// The folder's own name ("models/tiny-gpt2/" -> "tiny-gpt2"): how reports name a model given by path.
std::string model_folder_name(const std::string& dir);

class Args;
// The text to work on, from --text S or --text-file F (exactly one of them).
std::string text_argument(const Args& args, const std::string& command);

}  // namespace attnlab::cli
