#include "io/checkpoint.hpp"

#include <cmath>
#include <cstring>
#include <set>

#include "error.hpp"
#include "io/float16.hpp"
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

WeightStorage parse_weight_storage(const std::string& text, const std::string& what) {
    if (text == "f32" || text == "F32") return WeightStorage::F32;
    if (text == "f16" || text == "F16") return WeightStorage::F16;
    if (text == "auto") return WeightStorage::Auto;
    throw Error(what + " must be f32, f16 or auto (got '" + text + "')");
}

namespace {

// Where one parameter's values live after loading.
enum class Placement { ViewF32, ViewF16, ToF32, ToF16 };

bool aligned_for(const TensorEntry& t, std::size_t alignment) {
    return reinterpret_cast<std::uintptr_t>(t.data) % alignment == 0;
}

// Every value fits F16 (|x| <= 65504 or not finite already): checked in chunks, no full copy.
bool fits_f16(const TensorEntry& t, const std::string& file_name) {
    std::vector<float> chunk(1 << 16);
    const std::size_t n = static_cast<std::size_t>(t.element_count());
    for (std::size_t i = 0; i < n; i += chunk.size()) {
        const std::size_t m = std::min(chunk.size(), n - i);
        decode_floats(t, i, m, chunk.data(), file_name);
        for (std::size_t j = 0; j < m; ++j)
            if (std::isfinite(chunk[j]) && std::fabs(chunk[j]) > 65504.0f) return false;
    }
    return true;
}

void round_to_f16(const TensorEntry& t, std::uint16_t* out, const std::string& file_name) {
    std::vector<float> chunk(1 << 16);
    const std::size_t n = static_cast<std::size_t>(t.element_count());
    for (std::size_t i = 0; i < n; i += chunk.size()) {
        const std::size_t m = std::min(chunk.size(), n - i);
        decode_floats(t, i, m, chunk.data(), file_name);
        for (std::size_t j = 0; j < m; ++j) out[i + j] = float_to_f16(chunk[j]);
    }
}

Placement placement(const ParamSpec& spec, const TensorEntry& t, WeightStorage storage, const std::string& file_name) {
    const bool matrix = static_cast<bool>(spec.bind_half);
    const bool keep_f16 = matrix && t.dtype == DType::F16 && storage != WeightStorage::F32;
    if (keep_f16) return aligned_for(t, alignof(std::uint16_t)) ? Placement::ViewF16 : Placement::ToF16;
    if (matrix && storage == WeightStorage::F16 && fits_f16(t, file_name)) return Placement::ToF16;
    return t.dtype == DType::F32 && aligned_for(t, alignof(float)) ? Placement::ViewF32 : Placement::ToF32;
}

}  // namespace

Weights load_weights(const Config& config, const SharedBytes& bytes, const std::string& file_name,
                     std::vector<std::string>* notes, const LoadOptions& options) {
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
        Placement where;
    };
    std::vector<Plan> plan;
    auto check = [&](const ParamSpec& spec, const TensorEntry* t) {
        if (!t) throw Error(file_name + ": missing tensor " + spec.name + " (expected shape " + shape_text(spec.shape) + ")");
        if (t->shape != spec.shape)
            throw Error(file_name + ": tensor " + t->name + " has shape " + shape_text(t->shape) + ", expected " +
                        shape_text(spec.shape) + " for this config.json");
        if (t->dtype != DType::F32 && t->dtype != DType::F16 && t->dtype != DType::BF16 && t->dtype != DType::F64)
            throw Error(file_name + ": tensor " + t->name + " has dtype " + dtype_name(t->dtype) +
                        "; weights must be F32, F16, BF16 or F64");
        used.insert(t);
        plan.push_back({&spec, t, Placement::ViewF32});
    };
    for (const auto& spec : specs) check(spec, lookup(spec.name));

    ParamSpec lm_spec = lm_head_spec(config);
    const TensorEntry* lm_head = file.find("lm_head.weight");
    if (lm_head) {
        // A stored lm_head that is byte-identical to wte is still tied: no second copy.
        const TensorEntry* wte = lookup("wte.weight");
        const bool same = lm_head->dtype == wte->dtype && lm_head->nbytes == wte->nbytes &&
                          std::memcmp(lm_head->data, wte->data, wte->nbytes) == 0;
        if (same) used.insert(lm_head);
        else check(lm_spec, lm_head);
    }

    // Sizes first, so each arena is allocated once; then fill. When no matrix is viewed in place, the
    // vectors are copied too, so the caller may release the file's bytes.
    for (auto& p : plan) p.where = placement(*p.spec, *p.tensor, options.storage, file_name);
    bool matrix_viewed = false;
    for (const auto& p : plan)
        matrix_viewed |= p.spec->bind_half && (p.where == Placement::ViewF32 || p.where == Placement::ViewF16);
    std::int64_t to_f32 = 0, to_f16 = 0, viewed_f16 = 0, kept_f32 = 0;
    for (auto& p : plan) {
        if (!matrix_viewed && p.where == Placement::ViewF32) p.where = Placement::ToF32;
        const std::int64_t n = p.spec->count();
        if (p.where == Placement::ToF32) to_f32 += n;
        if (p.where == Placement::ToF16) to_f16 += n;
        if (p.where == Placement::ViewF16) viewed_f16 += n;
        if (p.spec->bind_half && options.storage == WeightStorage::F16 && p.tensor->dtype != DType::F16 &&
            p.where != Placement::ToF16)
            kept_f32 += n;
    }
    auto floats = std::make_shared<std::vector<float>>(static_cast<std::size_t>(to_f32));
    auto halves = std::make_shared<std::vector<std::uint16_t>>(static_cast<std::size_t>(to_f16));
    float* next_f32 = floats->data();
    std::uint16_t* next_f16 = halves->data();
    Weights w;
    w.layers.resize(config.n_layer);
    bool viewed_any = false;
    for (const auto& [spec, t, where] : plan) {
        switch (where) {
            case Placement::ViewF32:
                spec->bind(w, reinterpret_cast<const float*>(t->data));
                viewed_any = true;
                break;
            case Placement::ViewF16:
                spec->bind_half(w, reinterpret_cast<const std::uint16_t*>(t->data));
                viewed_any = true;
                break;
            case Placement::ToF32:
                decode_floats(*t, next_f32, file_name);
                spec->bind(w, next_f32);
                next_f32 += spec->count();
                break;
            case Placement::ToF16:
                if (t->dtype == DType::F16) std::memcpy(next_f16, t->data, t->nbytes);
                else round_to_f16(*t, next_f16, file_name);
                spec->bind_half(w, next_f16);
                next_f16 += spec->count();
                break;
        }
    }
    w.tied_lm_head = !(lm_head && plan.back().spec == &lm_spec);
    if (w.tied_lm_head) w.lm_head = w.wte;
    if (to_f32 > 0) w.storage.push_back(floats);
    if (to_f16 > 0) w.storage.push_back(halves);
    if (viewed_any) w.storage.push_back(bytes.owner);

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
        if (to_f32 > 0) notes->push_back(file_name + ": converted " + std::to_string(to_f32) + " weights to F32");
        if (viewed_f16 > 0 || to_f16 > 0) {
            std::int64_t rounded = 0;
            for (const auto& p : plan)
                if (p.where == Placement::ToF16 && p.tensor->dtype != DType::F16) rounded += p.spec->count();
            notes->push_back(file_name + ": keeps " + std::to_string(viewed_f16 + to_f16) + " weights in F16" +
                             (rounded > 0 ? " (" + std::to_string(rounded) + " of them rounded to F16)" : ""));
        }
        if (kept_f32 > 0)
            notes->push_back(file_name + ": kept " + std::to_string(kept_f32) + " weights in F32 (values beyond F16's range)");
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

Checkpoint load_checkpoint(const std::vector<NamedBuffer>& files, const LoadOptions& options) {
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
    ck.model.weights = load_weights(ck.model.config, weights_file->bytes, "model.safetensors", &ck.notes, options);
    return ck;
}

}  // namespace attnlab
