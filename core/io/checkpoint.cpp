#include "io/checkpoint.hpp"

#include <cstring>
#include <set>

#include "error.hpp"
#include "io/safetensors.hpp"

namespace attnlab {
namespace {

const NamedBuffer* find_file(const std::vector<NamedBuffer>& files, const std::string& name) {
    for (const auto& f : files)
        if (f.name == name) return &f;
    return nullptr;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

bool is_ignored_buffer(const std::string& name) {
    auto ends_with = [&](const char* suffix) {
        const std::size_t n = std::strlen(suffix);
        return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
    };
    return ends_with(".attn.bias") || ends_with(".attn.masked_bias");
}

}  // namespace

const std::vector<std::string>& checkpoint_file_names() {
    static const std::vector<std::string> names = {"config.json", "model.safetensors", "vocab.json", "merges.txt",
                                                   "tokenizer.json"};
    return names;
}

Weights load_weights(const Config& config, const SharedBytes& bytes, const std::string& file_name,
                     std::vector<std::string>* notes) {
    const SafetensorsFile file = parse_safetensors(bytes.bytes, file_name);
    // Accept names with or without the "transformer." prefix, but not a mix of duplicates.
    auto lookup = [&](const std::string& name) -> const TensorEntry* {
        const TensorEntry* plain = file.find(name);
        const TensorEntry* prefixed = file.find("transformer." + name);
        if (plain && prefixed) throw Error(file_name + ": tensor " + name + " is present both with and without the \"transformer.\" prefix");
        return plain ? plain : prefixed;
    };

    const auto specs = param_specs(config);
    std::set<const TensorEntry*> used;
    struct Plan {
        const ParamSpec* spec;
        const TensorEntry* tensor;
    };
    std::vector<Plan> plan;
    std::int64_t convert_count = 0;
    auto check = [&](const ParamSpec& spec, const TensorEntry* t) {
        if (!t) throw Error(file_name + ": missing tensor " + spec.name + " (expected shape " + shape_text(spec.shape) + ")");
        if (t->shape != spec.shape)
            throw Error(file_name + ": tensor " + t->name + " has shape " + shape_text(t->shape) + ", expected " +
                        shape_text(spec.shape) + " for this config.json");
        if (t->dtype != DType::F32 && t->dtype != DType::F16 && t->dtype != DType::BF16 && t->dtype != DType::F64)
            throw Error(file_name + ": tensor " + t->name + " has dtype " + dtype_name(t->dtype) +
                        "; weights must be F32, F16, BF16 or F64");
        const bool aligned = reinterpret_cast<std::uintptr_t>(t->data) % alignof(float) == 0;
        if (t->dtype != DType::F32 || !aligned) convert_count += spec.count();
        used.insert(t);
        plan.push_back({&spec, t});
    };
    for (const auto& spec : specs) check(spec, lookup(spec.name));

    ParamSpec lm_spec{"lm_head.weight", {config.vocab_size, config.n_embd}, [](Weights& w, const float* p) {
                          w.lm_head = Tensor2{p, w.wte.rows, w.wte.cols};
                      }};
    const TensorEntry* lm_head = file.find("lm_head.weight");
    if (lm_head) {
        // A stored lm_head that is byte-identical to wte is still tied: no second copy.
        const TensorEntry* wte = lookup("wte.weight");
        const bool same = lm_head->dtype == wte->dtype && lm_head->nbytes == wte->nbytes &&
                          std::memcmp(lm_head->data, wte->data, wte->nbytes) == 0;
        if (same) used.insert(lm_head);
        else check(lm_spec, lm_head);
    }

    auto arena = std::make_shared<std::vector<float>>(static_cast<std::size_t>(convert_count));
    float* next = arena->data();
    Weights w;
    w.layers.resize(config.n_layer);
    bool mapped_any = false;
    for (const auto& [spec, t] : plan) {
        const bool aligned = reinterpret_cast<std::uintptr_t>(t->data) % alignof(float) == 0;
        if (t->dtype == DType::F32 && aligned) {
            spec->bind(w, reinterpret_cast<const float*>(t->data));
            mapped_any = true;
        } else {
            decode_floats(*t, next, file_name);
            spec->bind(w, next);
            next += spec->count();
        }
    }
    w.tied_lm_head = !(lm_head && plan.back().spec == &lm_spec);
    if (w.tied_lm_head) w.lm_head = w.wte;
    if (convert_count > 0) w.storage.push_back(arena);
    if (mapped_any) w.storage.push_back(bytes.owner);

    if (notes) {
        std::vector<std::string> ignored;
        for (const auto& t : file.tensors)
            if (!used.count(&t) && !is_ignored_buffer(t.name)) ignored.push_back(t.name);
        if (!ignored.empty()) {
            std::string list;
            for (std::size_t i = 0; i < ignored.size() && i < 5; ++i) list += (i ? ", " : "") + ignored[i];
            notes->push_back(file_name + ": ignored " + std::to_string(ignored.size()) +
                             " tensor(s) that GPT-2 does not use: " + list + (ignored.size() > 5 ? ", ..." : ""));
        }
        if (convert_count > 0)
            notes->push_back(file_name + ": converted " + std::to_string(convert_count) + " weights to F32");
    }
    return w;
}

Tokenizer load_tokenizer(const std::vector<NamedBuffer>& files) {
    const NamedBuffer* vocab = find_file(files, "vocab.json");
    const NamedBuffer* merges = find_file(files, "merges.txt");
    if (vocab && merges) return Tokenizer::from_vocab_merges(vocab->bytes.bytes, merges->bytes.bytes);
    if (const NamedBuffer* tj = find_file(files, "tokenizer.json")) return Tokenizer::from_tokenizer_json(tj->bytes.bytes);
    if (vocab || merges)
        throw Error(std::string("tokenizer: found ") + (vocab ? "vocab.json" : "merges.txt") + " but not " +
                    (vocab ? "merges.txt" : "vocab.json") + " (or tokenizer.json); both are needed");
    throw Error("tokenizer: no vocab.json + merges.txt and no tokenizer.json among the checkpoint files");
}

Checkpoint load_checkpoint(const std::vector<NamedBuffer>& files) {
    const NamedBuffer* config_file = find_file(files, "config.json");
    if (!config_file) throw Error("checkpoint: config.json is missing");
    const NamedBuffer* weights_file = find_file(files, "model.safetensors");
    if (!weights_file) {
        if (find_file(files, "pytorch_model.bin"))
            throw Error("checkpoint: only pytorch_model.bin is present; attnlab reads model.safetensors "
                        "(the Hugging Face page of most GPT-2 models offers it)");
        throw Error("checkpoint: model.safetensors is missing");
    }
    Checkpoint ck;
    const auto& cb = config_file->bytes.bytes;
    ck.model.config = parse_config(std::string(reinterpret_cast<const char*>(cb.data), cb.size), "config.json");
    ck.tokenizer = load_tokenizer(files);
    if (ck.tokenizer.vocab_size() > ck.model.config.vocab_size)
        throw Error("checkpoint: the tokenizer has " + std::to_string(ck.tokenizer.vocab_size()) +
                    " tokens but config.json says vocab_size = " + std::to_string(ck.model.config.vocab_size));
    ck.model.weights = load_weights(ck.model.config, weights_file->bytes, "model.safetensors", &ck.notes);
    return ck;
}

}  // namespace attnlab
