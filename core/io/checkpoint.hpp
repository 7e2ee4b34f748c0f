// Assembles a checkpoint (any family of model/config.hpp) from named byte buffers in the Hugging Face layout:
//   config.json, model.safetensors (or model.safetensors.index.json and its shards), and tokenizer.json (or vocab.json +
//   merges.txt).
// Where the bytes came from (a directory, a download, a file picker) is the caller's business.
//
// F32 tensors are viewed in place (no copy; the buffer's owner is kept alive); F16/BF16/F64 tensors are
// converted once into one float arena. Tensor names may carry a "transformer." prefix; lm_head.weight is
// used if present, else tied to wte; attn.bias / attn.masked_bias buffers are ignored.
#pragma once
#include <string>
#include <vector>

#include "model/model.hpp"
#include "tensor.hpp"
#include "text/bpe.hpp"

namespace attnlab {

struct NamedBuffer {
    std::string name;  // file name, e.g. "model.safetensors"
    SharedBytes bytes;
    ByteSource source = {};  // instead of bytes, for model.safetensors: read on demand, never held whole
};

struct Checkpoint {
    Model model;
    Tokenizer tokenizer;
    std::vector<std::string> notes;  // things the user may want to know (ignored tensors, dtype converted)
};

// How the weight matrices are kept in memory (biases and layer norms are always F32):
//   F32:  as float; F32 tensors are viewed in place, others converted once.
//   F16:  as IEEE half; F16 tensors are viewed in place, others rounded to F16 (a tensor with a value beyond
//         F16's range stays F32). Half the memory; every pass converts the rows it uses.
//   Auto: F16 tensors stay F16 (exact, half the memory), the others as with F32.
enum class WeightStorage { F32, F16, Auto };
// "f32", "f16" or "auto"; throws Error naming `what` otherwise.
WeightStorage parse_weight_storage(const std::string& text, const std::string& what);

// Declared maxima, checked before anything is allocated for the file they concern: a hostile or mistaken
// file is refused by its sizes alone (the file size, the header's tensor count, the memory its weights
// would take), never after an allocation has failed.
struct LoadLimits {
    std::uint64_t max_checkpoint_bytes = std::uint64_t{32} << 30;  // model.safetensors (gpt2-xl F32: 6.4 GB)
    std::size_t max_tensors = 10000;                               // gpt2-xl has 580
    std::uint64_t max_weight_bytes = std::uint64_t{32} << 30;      // the weights as kept in memory
    std::uint64_t max_text_file_bytes = std::uint64_t{256} << 20;  // config.json, vocab.json, merges.txt, tokenizer.json
};

// Refuses a checkpoint file larger than its limit: model.safetensors against max_checkpoint_bytes, the text files
// against max_text_file_bytes. Callers that copy files before loading call it first, so nothing too large is copied.
void check_file_size(const std::string& name, std::uint64_t size, const LoadLimits& limits);

struct LoadOptions {
    WeightStorage storage = WeightStorage::F32;
    LoadLimits limits;
};

Weights load_weights(const Config& config, const SharedBytes& safetensors, const std::string& file_name,
                     std::vector<std::string>* notes = nullptr, const LoadOptions& options = {});
// The same from a file read on demand: every weight is copied (nothing can be viewed in place), so peak
// memory is the weights as stored, not the file plus the weights.
Weights load_weights(const Config& config, const ByteSource& safetensors, const std::string& file_name,
                     std::vector<std::string>* notes = nullptr, const LoadOptions& options = {});

// A sharded checkpoint: model.safetensors.index.json maps each tensor to one of the shard files beside it.
inline constexpr const char* k_shard_index = "model.safetensors.index.json";
// The shard files an index names, each once, in order of first mention. Throws Error for anything but plain
// .safetensors file names (nothing that reaches another folder).
std::vector<std::string> sharded_file_names(const std::string& index_json);
// The weights from the shards the index names, found by name among `files` (bytes, or sources read on demand);
// each tensor must be in the shard the index names.
Weights load_sharded_weights(const Config& config, const std::string& index_json, const std::vector<NamedBuffer>& files,
                             std::vector<std::string>* notes = nullptr, const LoadOptions& options = {});

// tokenizer.json, or vocab.json + merges.txt (used only when tokenizer.json is absent).
Tokenizer load_tokenizer(const std::vector<NamedBuffer>& files);

// A checkpoint's tokenizer built ahead of its weights (the page builds it while the weights download): load_checkpoint
// takes it instead of building another when the tokenizer files it would read hold the same bytes.
struct PreparedTokenizer {
    std::vector<NamedBuffer> files;  // the files load_tokenizer read, in its order
    Tokenizer tokenizer;
    bool used = false;               // load_checkpoint took it (and left `tokenizer` empty)
};
// Throws Error as load_tokenizer does.
PreparedTokenizer prepare_tokenizer(const std::vector<NamedBuffer>& files);

// prepared: a tokenizer built ahead from the same files, or null.
Checkpoint load_checkpoint(const std::vector<NamedBuffer>& files, const LoadOptions& options = {},
                           PreparedTokenizer* prepared = nullptr);

// The names of the files a checkpoint folder may hold, in the order they are needed.
const std::vector<std::string>& checkpoint_file_names();

}  // namespace attnlab
