#include "io/checkpoint.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "error.hpp"
#include "io/config_json.hpp"
#include "util/float16.hpp"
#include "io/safetensors.hpp"

namespace attnlab {
namespace {

// "1618080 bytes (1.5 MiB)": exact, so a size just over a limit never reads as equal to it.
std::string byte_text(std::uint64_t bytes) {
    char buf[64];
    if (bytes >= (std::uint64_t{1} << 30))
        std::snprintf(buf, sizeof buf, "%llu bytes (%.2f GiB)", static_cast<unsigned long long>(bytes), static_cast<double>(bytes) / (1 << 30));
    else if (bytes >= (1u << 20))
        std::snprintf(buf, sizeof buf, "%llu bytes (%.1f MiB)", static_cast<unsigned long long>(bytes), static_cast<double>(bytes) / (1 << 20));
    else std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
    return buf;
}

void check_checkpoint_size(std::uint64_t size, const std::string& file_name, const LoadLimits& limits) {
    if (size > limits.max_checkpoint_bytes)
        throw Error(file_name + " is " + byte_text(size) + ", more than the limit of " + byte_text(limits.max_checkpoint_bytes) +
                    " for a checkpoint");
}

SafetensorsLimits safetensors_limits(const LoadLimits& limits) {
    SafetensorsLimits s;
    s.max_tensors = limits.max_tensors;
    return s;
}


const NamedBuffer* find_file(const std::vector<NamedBuffer>& files, const std::string& name) {
    for (const auto& f : files)
        if (f.name == name) return &f;
    return nullptr;
}

// Buffers that checkpoints carry and no family reads: causal masks and rotary frequencies, which attnlab computes.
bool is_ignored_buffer(const std::string& name) {
    auto ends_with = [&](const char* suffix) {
        const std::size_t n = std::strlen(suffix);
        return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
    };
    return ends_with(".attn.bias") || ends_with(".attn.masked_bias") || ends_with(".attention.bias") ||
           ends_with(".attention.masked_bias") || ends_with(".rotary_emb.inv_freq");
}

}  // namespace

void check_file_size(const std::string& name, std::uint64_t size, const LoadLimits& limits) {
    const std::string suffix = ".safetensors";
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        return check_checkpoint_size(size, name, limits);
    if (size > limits.max_text_file_bytes)
        throw Error(name + " is " + byte_text(size) + ", more than the limit of " + byte_text(limits.max_text_file_bytes) +
                    " for a checkpoint's text files");
}


const std::vector<std::string>& checkpoint_file_names() {
    static const std::vector<std::string> names = {"config.json", "model.safetensors", k_shard_index, "vocab.json",
                                                   "merges.txt", "tokenizer.json"};
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

// A tensor's bytes from the file in memory, or from a source read on demand, in chunks of elements.
class TensorReader {
public:
    TensorReader(const std::uint8_t* bytes, const ByteSource* source, std::string file_name)
        : bytes_(bytes), source_(source), file_name_(std::move(file_name)) {}
    bool in_memory() const { return bytes_ != nullptr; }

    void raw(const TensorEntry& t, std::size_t first_byte, std::size_t n, std::uint8_t* out) const {
        if (in_memory()) std::memcpy(out, t.data + first_byte, n);
        else source_->read(t.offset + first_byte, n, out);
    }
    // All of the tensor's bytes into out, a chunk (at most 1 MiB) at a time.
    void raw_chunks(const TensorEntry& t, std::uint8_t* out) const {
        const std::size_t chunk = std::size_t(1) << 20;
        for (std::size_t i = 0; i < t.nbytes; i += chunk) raw(t, i, std::min(chunk, t.nbytes - i), out + i);
    }
    // Calls f(first, count, values) over the tensor's elements as float, a chunk at a time.
    template <class F>
    void each_chunk(const TensorEntry& t, F f) const {
        const std::size_t n = static_cast<std::size_t>(t.element_count()), size = dtype_size(t.dtype);
        std::vector<float> values(std::min<std::size_t>(n, std::size_t(1) << 18));  // reads of at most 1 MiB (F32)
        std::vector<std::uint8_t> raw_bytes(in_memory() ? 0 : values.size() * size);
        for (std::size_t i = 0; i < n; i += values.size()) {
            const std::size_t m = std::min(values.size(), n - i);
            if (in_memory()) decode_floats(t, i, m, values.data(), file_name_);
            else {
                raw(t, i * size, m * size, raw_bytes.data());
                decode_raw_floats(t, raw_bytes.data(), m, values.data(), file_name_);
            }
            f(i, m, values.data());
        }
    }
    bool same_bytes(const TensorEntry& a, const TensorEntry& b) const {
        if (a.dtype != b.dtype || a.nbytes != b.nbytes) return false;
        if (in_memory()) return std::memcmp(a.data, b.data, a.nbytes) == 0;
        std::vector<std::uint8_t> x(std::min<std::size_t>(a.nbytes, 1 << 20)), y(x.size());
        for (std::size_t i = 0; i < a.nbytes; i += x.size()) {
            const std::size_t m = std::min(x.size(), a.nbytes - i);
            raw(a, i, m, x.data());
            raw(b, i, m, y.data());
            if (std::memcmp(x.data(), y.data(), m) != 0) return false;
        }
        return true;
    }

private:
    const std::uint8_t* bytes_;
    const ByteSource* source_;
    std::string file_name_;
};

// Every value fits F16 (|x| <= 65504, or not finite already).
bool fits_f16(const TensorEntry& t, const TensorReader& reader) {
    bool fits = true;
    reader.each_chunk(t, [&](std::size_t, std::size_t m, const float* v) {
        for (std::size_t j = 0; j < m; ++j)
            if (std::isfinite(v[j]) && std::fabs(v[j]) > 65504.0f) fits = false;
    });
    return fits;
}

// One safetensors file of a checkpoint (the whole of it, or one shard): its tensors, how to read them, and what keeps
// its bytes alive when a tensor is viewed in place.
struct Shard {
    std::string name;
    SafetensorsFile file;
    TensorReader reader;
    std::shared_ptr<const void> owner;
};

using ReaderOf = std::function<const TensorReader&(const TensorEntry*)>;

Placement placement(const ParamSpec& spec, const std::vector<const TensorEntry*>& parts, WeightStorage storage,
                    const ReaderOf& reader_of) {
    const bool matrix = static_cast<bool>(spec.bind_half);
    if (parts.size() > 1) {  // stacked from several tensors: always copied
        bool all_f16 = true, fit = true;
        for (const TensorEntry* t : parts) {
            all_f16 &= t->dtype == DType::F16;
            if (matrix && storage == WeightStorage::F16) fit &= fits_f16(*t, reader_of(t));
        }
        if (matrix && ((all_f16 && storage != WeightStorage::F32) || (storage == WeightStorage::F16 && fit))) return Placement::ToF16;
        return Placement::ToF32;
    }
    const TensorEntry& t = *parts[0];
    const TensorReader& reader = reader_of(&t);
    const bool view = reader.in_memory();
    const bool keep_f16 = matrix && t.dtype == DType::F16 && storage != WeightStorage::F32;
    if (keep_f16) return view && aligned_for(t, alignof(std::uint16_t)) ? Placement::ViewF16 : Placement::ToF16;
    if (matrix && storage == WeightStorage::F16 && fits_f16(t, reader)) return Placement::ToF16;
    return view && t.dtype == DType::F32 && aligned_for(t, alignof(float)) ? Placement::ViewF32 : Placement::ToF32;
}

// The model's weights from its safetensors files (one, or the shards of a sharded checkpoint); file_name names them
// in messages ("model.safetensors", or the index's name).
Weights assemble_weights(const Config& config, const std::vector<Shard>& shards, const std::string& file_name,
                         std::vector<std::string>* notes, const LoadOptions& options) {
    std::map<const TensorEntry*, const Shard*> shard_of;
    for (const auto& sh : shards)
        for (const auto& t : sh.file.tensors) shard_of[&t] = &sh;
    const ReaderOf reader_of = [&](const TensorEntry* t) -> const TensorReader& { return shard_of.at(t)->reader; };
    // Accept GPT-2's names with or without the "transformer." prefix, but not a mix of duplicates; the other
    // families' names are as Hugging Face writes them. A name in two shards is refused.
    auto find = [&](const std::string& name) -> const TensorEntry* {
        const TensorEntry* found = nullptr;
        for (const auto& sh : shards)
            if (const TensorEntry* t = sh.file.find(name)) {
                if (found) throw Error(file_name + ": tensor " + name + " is in both " + shard_of.at(found)->name + " and " + sh.name);
                found = t;
            }
        return found;
    };
    auto lookup = [&](const std::string& name) -> const TensorEntry* {
        const TensorEntry* plain = find(name);
        if (config.family != Family::Gpt2) return plain;
        const TensorEntry* prefixed = find("transformer." + name);
        if (plain && prefixed) throw Error(file_name + ": tensor " + name + " is present both with and without the \"transformer.\" prefix");
        return plain ? plain : prefixed;
    };

    const auto specs = param_specs(config);
    std::set<const TensorEntry*> used;
    struct Plan {
        const ParamSpec* spec;
        std::vector<const TensorEntry*> parts;  // one tensor, or the tensors stacked into the parameter
        Placement where;
        const TensorEntry* tensor() const { return parts[0]; }
    };
    std::vector<Plan> plan;
    auto checked = [&](const std::string& name, const std::vector<std::int64_t>& shape) {
        const TensorEntry* t = lookup(name);
        if (!t) throw Error(file_name + ": missing tensor " + name + " (expected shape " + shape_text(shape) + ")");
        if (t->shape != shape)
            throw Error(shard_of.at(t)->name + ": tensor " + t->name + " has shape " + shape_text(t->shape) + ", expected " +
                        shape_text(shape) + " for this config.json");
        if (t->dtype != DType::F32 && t->dtype != DType::F16 && t->dtype != DType::BF16 && t->dtype != DType::F64)
            throw Error(shard_of.at(t)->name + ": tensor " + t->name + " has dtype " + dtype_name(t->dtype) +
                        "; weights must be F32, F16, BF16 or F64");
        used.insert(t);
        return t;
    };
    auto check = [&](const ParamSpec& spec) {
        Plan p{&spec, {}, Placement::ViewF32};
        if (spec.parts.empty()) p.parts.push_back(checked(spec.name, spec.shape));
        for (std::size_t k = 0; k < spec.parts.size(); ++k) p.parts.push_back(checked(spec.parts[k].first, spec.part_shape(k)));
        plan.push_back(std::move(p));
    };
    for (const auto& spec : specs) check(spec);

    ParamSpec lm_spec = lm_head_spec(config);
    const TensorEntry* lm_head = find(lm_spec.name);
    if (config.family != Family::Gpt2) {
        // as the config says: tied (a stored copy is not read, as Hugging Face ties it) or a tensor of its own
        if (!config.tied_head) check(lm_spec);
        else if (lm_head) used.insert(lm_head);
    } else if (lm_head) {
        // A stored lm_head that is byte-identical to wte is still tied: no second copy.
        const TensorEntry* wte = lookup("wte.weight");
        if (shard_of.at(lm_head) == shard_of.at(wte) && reader_of(wte).same_bytes(*lm_head, *wte)) used.insert(lm_head);
        else check(lm_spec);
    }

    // Sizes first, so each arena is allocated once; then fill. When no matrix is viewed in place, the
    // vectors are copied too, so the caller may release the file's bytes.
    for (auto& p : plan) p.where = placement(*p.spec, p.parts, options.storage, reader_of);
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
        if (p.spec->bind_half && options.storage == WeightStorage::F16 && p.tensor()->dtype != DType::F16 &&
            p.where != Placement::ToF16)
            kept_f32 += n;
    }
    const std::uint64_t weight_bytes = static_cast<std::uint64_t>(to_f32) * 4 + static_cast<std::uint64_t>(to_f16) * 2;
    if (weight_bytes > options.limits.max_weight_bytes)
        throw Error(file_name + ": its weights would take " + byte_text(weight_bytes) + " in memory, more than the limit of " +
                    byte_text(options.limits.max_weight_bytes) + (options.storage == WeightStorage::F32 ? " (F16 storage halves it)" : ""));
    auto floats = std::make_shared<std::vector<float>>(static_cast<std::size_t>(to_f32));
    auto halves = std::make_shared<std::vector<std::uint16_t>>(static_cast<std::size_t>(to_f16));
    float* next_f32 = floats->data();
    std::uint16_t* next_f16 = halves->data();
    Weights w;
    w.layers.resize(config.n_layer);
    bool viewed_any = false;
    for (const auto& p : plan) {
        const ParamSpec* spec = p.spec;
        const TensorEntry* t = p.tensor();
        // the parts one after the other (a stacked parameter), each at its offset in elements
        const auto each_part = [&](auto copy) {
            std::size_t offset = 0;
            for (const TensorEntry* part : p.parts) {
                copy(*part, offset);
                offset += static_cast<std::size_t>(part->element_count());
            }
        };
        switch (p.where) {
            case Placement::ViewF32:
                spec->bind(w, reinterpret_cast<const float*>(t->data));
                viewed_any = true;
                break;
            case Placement::ViewF16:
                spec->bind_half(w, reinterpret_cast<const std::uint16_t*>(t->data));
                viewed_any = true;
                break;
            case Placement::ToF32:
                each_part([&](const TensorEntry& part, std::size_t at) {
                    reader_of(&part).each_chunk(part, [&](std::size_t i, std::size_t m, const float* v) { std::copy(v, v + m, next_f32 + at + i); });
                });
                spec->bind(w, next_f32);
                next_f32 += spec->count();
                break;
            case Placement::ToF16:
                each_part([&](const TensorEntry& part, std::size_t at) {
                    if (part.dtype == DType::F16) reader_of(&part).raw_chunks(part, reinterpret_cast<std::uint8_t*>(next_f16 + at));
                    else
                        reader_of(&part).each_chunk(part, [&](std::size_t i, std::size_t m, const float* v) {
                            for (std::size_t j = 0; j < m; ++j) next_f16[at + i + j] = float_to_f16(v[j]);
                        });
                });
                spec->bind_half(w, next_f16);
                next_f16 += spec->count();
                break;
        }
    }
    w.tied_lm_head = !(lm_head && plan.back().spec == &lm_spec);
    if (w.tied_lm_head) w.lm_head = w.wte;
    if (to_f32 > 0) w.storage.push_back(floats);
    if (to_f16 > 0) w.storage.push_back(halves);
    if (viewed_any)
        for (const auto& sh : shards)
            if (sh.owner) w.storage.push_back(sh.owner);

    if (notes) {
        std::vector<std::string> ignored;
        for (const auto& sh : shards)
            for (const auto& t : sh.file.tensors)
                if (!used.count(&t) && !is_ignored_buffer(t.name)) ignored.push_back(t.name);
        if (!ignored.empty()) {
            std::string list;
            for (std::size_t i = 0; i < ignored.size() && i < 5; ++i) list += (i ? ", " : "") + ignored[i];
            notes->push_back(file_name + ": ignored " + std::to_string(ignored.size()) +
                             " tensor(s) that " + family_name(config.family) + " does not use: " + list + (ignored.size() > 5 ? ", ..." : ""));
        }
        if (to_f32 > 0) notes->push_back(file_name + ": converted " + std::to_string(to_f32) + " weights to F32");
        if (viewed_f16 > 0 || to_f16 > 0) {
            std::int64_t rounded = 0;
            for (const auto& p : plan)
                if (p.where == Placement::ToF16 && p.tensor()->dtype != DType::F16) rounded += p.spec->count();
            notes->push_back(file_name + ": keeps " + std::to_string(viewed_f16 + to_f16) + " weights in F16" +
                             (rounded > 0 ? " (" + std::to_string(rounded) + " of them rounded to F16)" : ""));
        }
        if (kept_f32 > 0)
            notes->push_back(file_name + ": kept " + std::to_string(kept_f32) + " weights in F32 (values beyond F16's range)");
    }
    return w;
}

Shard shard_in_memory(const SharedBytes& bytes, const std::string& name, const LoadLimits& limits) {
    return {name, parse_safetensors(bytes.bytes, name, safetensors_limits(limits)), TensorReader(bytes.bytes.data, nullptr, name),
            bytes.owner};
}

// The source must outlive the weights' loading (it is read as they are assembled).
Shard shard_on_demand(const ByteSource& source, const std::string& name, const LoadLimits& load_limits) {
    const SafetensorsLimits limits = safetensors_limits(load_limits);
    std::vector<std::uint8_t> head(std::min<std::size_t>(8, source.size));
    source.read(0, head.size(), head.data());
    head.resize(safetensors_header_end(ByteView{head.data(), head.size()}, source.size, name, limits));
    source.read(0, head.size(), head.data());
    return {name, parse_safetensors_header(ByteView{head.data(), head.size()}, source.size, name, limits),
            TensorReader(nullptr, &source, name), nullptr};
}

}  // namespace

Weights load_weights(const Config& config, const SharedBytes& bytes, const std::string& file_name,
                     std::vector<std::string>* notes, const LoadOptions& options) {
    check_checkpoint_size(bytes.bytes.size, file_name, options.limits);
    return assemble_weights(config, {shard_in_memory(bytes, file_name, options.limits)}, file_name, notes, options);
}

Weights load_weights(const Config& config, const ByteSource& source, const std::string& file_name,
                     std::vector<std::string>* notes, const LoadOptions& options) {
    check_checkpoint_size(source.size, file_name, options.limits);
    return assemble_weights(config, {shard_on_demand(source, file_name, options.limits)}, file_name, notes, options);
}

namespace {

// The files the tokenizer is read from: tokenizer.json first, since it holds the whole pipeline (Qwen's folders also
// carry vocab.json + merges.txt, which say nothing of its normalizer or pre-tokenizer), else vocab.json + merges.txt.
std::vector<const NamedBuffer*> tokenizer_files(const std::vector<NamedBuffer>& files) {
    if (const NamedBuffer* tj = find_file(files, "tokenizer.json")) return {tj};
    const NamedBuffer* vocab = find_file(files, "vocab.json");
    const NamedBuffer* merges = find_file(files, "merges.txt");
    if (vocab && merges) return {vocab, merges};
    if (vocab || merges)
        throw Error(std::string("tokenizer: found ") + (vocab ? "vocab.json" : "merges.txt") + " but not " +
                    (vocab ? "merges.txt" : "vocab.json") + " (or tokenizer.json); both are needed");
    throw Error("tokenizer: no vocab.json + merges.txt and no tokenizer.json among the checkpoint files");
}

bool same_bytes(const NamedBuffer& a, const NamedBuffer& b) {
    const ByteView x = a.bytes.bytes, y = b.bytes.bytes;
    return a.name == b.name && x.size == y.size && (x.size == 0 || std::memcmp(x.data, y.data, x.size) == 0);
}

}  // namespace

Tokenizer load_tokenizer(const std::vector<NamedBuffer>& files) {
    const auto chosen = tokenizer_files(files);
    if (chosen.size() == 1) return Tokenizer::from_tokenizer_json(chosen[0]->bytes.bytes);
    return Tokenizer::from_vocab_merges(chosen[0]->bytes.bytes, chosen[1]->bytes.bytes);
}

PreparedTokenizer prepare_tokenizer(const std::vector<NamedBuffer>& files) {
    PreparedTokenizer p;
    for (const NamedBuffer* f : tokenizer_files(files)) p.files.push_back(*f);  // shares the bytes, copies nothing
    p.tokenizer = load_tokenizer(p.files);
    return p;
}

std::vector<std::string> sharded_file_names(const std::string& index_json) {
    const std::string where = k_shard_index;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(index_json);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    const auto map = j.is_object() ? j.find("weight_map") : j.end();
    if (map == j.end() || !map->is_object() || map->empty())
        throw Error(where + ": expected an object with a non-empty \"weight_map\" (tensor name -> shard file)");
    std::vector<std::string> names;
    for (const auto& [tensor, file] : map->items()) {
        if (!file.is_string()) throw Error(where + ": the shard of " + tensor + " is not a file name");
        const std::string name = file.get<std::string>();
        // a plain file name in the same folder: nothing that reaches another folder
        const bool plain = !name.empty() && name.size() <= 255 && name[0] != '.' &&
                           std::all_of(name.begin(), name.end(), [](char ch) {
                               return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-';
                           });
        const std::string suffix = ".safetensors";
        if (!plain || name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            throw Error(where + ": shard \"" + name + "\" is not a .safetensors file name in the checkpoint's folder");
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    if (names.size() > 1000) throw Error(where + ": names " + std::to_string(names.size()) + " shards; at most 1000 are read");
    return names;
}

Weights load_sharded_weights(const Config& config, const std::string& index_json, const std::vector<NamedBuffer>& files,
                             std::vector<std::string>* notes, const LoadOptions& options) {
    const std::vector<std::string> names = sharded_file_names(index_json);
    std::vector<const NamedBuffer*> given;
    std::uint64_t total = 0;
    for (const auto& name : names) {
        const NamedBuffer* f = find_file(files, name);
        if (!f) throw Error(std::string(k_shard_index) + " names the shard " + name + ", which is missing");
        const std::uint64_t size = f->source.read ? f->source.size : f->bytes.bytes.size;
        check_checkpoint_size(size, name, options.limits);
        total += size;
        given.push_back(f);
    }
    check_checkpoint_size(total, "the checkpoint's " + std::to_string(names.size()) + " shards together", options.limits);
    std::vector<Shard> shards;
    for (const NamedBuffer* f : given)
        shards.push_back(f->source.read ? shard_on_demand(f->source, f->name, options.limits)
                                        : shard_in_memory(f->bytes, f->name, options.limits));
    // every tensor where the index says it is
    const auto map = nlohmann::json::parse(index_json)["weight_map"];
    for (const auto& [tensor, file] : map.items()) {
        const std::string shard_name = file.get<std::string>();  // a named copy: C++17 lambdas cannot capture bindings
        const auto sh = std::find_if(shards.begin(), shards.end(), [&](const Shard& x) { return x.name == shard_name; });
        if (!sh->file.find(tensor))
            throw Error(std::string(k_shard_index) + " puts " + tensor + " in " + sh->name + ", which does not hold it");
    }
    return assemble_weights(config, shards, k_shard_index, notes, options);
}

Checkpoint load_checkpoint(const std::vector<NamedBuffer>& files, const LoadOptions& options, PreparedTokenizer* prepared) {
    const NamedBuffer* config_file = find_file(files, "config.json");
    if (!config_file) throw Error("checkpoint: config.json is missing");
    const NamedBuffer* weights_file = find_file(files, "model.safetensors");
    const NamedBuffer* index_file = weights_file ? nullptr : find_file(files, k_shard_index);
    if (!weights_file && !index_file) {
        if (find_file(files, "pytorch_model.bin"))
            throw Error("checkpoint: only pytorch_model.bin is present; attnlab reads model.safetensors "
                        "(the Hugging Face page of most GPT-2 models offers it)");
        throw Error("checkpoint: model.safetensors (or model.safetensors.index.json and its shards) is missing");
    }
    for (const auto& f : files)
        if (!f.source.read) check_file_size(f.name, f.bytes.bytes.size, options.limits);
    Checkpoint ck;
    const auto& cb = config_file->bytes.bytes;
    ck.model.config = parse_config(std::string(reinterpret_cast<const char*>(cb.data), cb.size), "config.json");
    const auto chosen = tokenizer_files(files);
    const bool reuse = prepared && !prepared->used && prepared->files.size() == chosen.size() &&
                       std::equal(chosen.begin(), chosen.end(), prepared->files.begin(),
                                  [](const NamedBuffer* a, const NamedBuffer& b) { return same_bytes(*a, b); });
    if (reuse) {
        ck.tokenizer = std::move(prepared->tokenizer);
        prepared->used = true;
    } else {
        ck.tokenizer = load_tokenizer(files);
    }
    if (ck.tokenizer.vocab_size() > ck.model.config.vocab_size)
        throw Error("checkpoint: the tokenizer has " + std::to_string(ck.tokenizer.vocab_size()) +
                    " tokens but config.json says vocab_size = " + std::to_string(ck.model.config.vocab_size));
    const auto& ib = index_file ? index_file->bytes.bytes : ByteView{};
    ck.model.weights = index_file ? load_sharded_weights(ck.model.config, std::string(reinterpret_cast<const char*>(ib.data), ib.size),
                                                         files, &ck.notes, options)
                       : weights_file->source.read
                           ? load_weights(ck.model.config, weights_file->source, "model.safetensors", &ck.notes, options)
                           : load_weights(ck.model.config, weights_file->bytes, "model.safetensors", &ck.notes, options);
    return ck;
}

}  // namespace attnlab
