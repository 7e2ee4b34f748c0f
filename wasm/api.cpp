// The WebAssembly API the page's worker uses (Embind). Thin: it turns JS values into core inputs, calls
// the core, and hands results back. Every method returns a JS object; a failure is {error: "message"}
// (attnlab::Error's text, or "out of memory"), so no C++ exception ever reaches JS and a failed call
// leaves the session as it was. Large arrays go out as typed-array views over session-owned buffers:
// the caller copies them (.slice()) before the next call, since memory growth detaches views.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <memory>
#include <new>
#include <optional>

#include "analysis/registry.hpp"
#include "analysis/run_report.hpp"
#include "analysis/token_view.hpp"
#include "error.hpp"
#include "io/checkpoint.hpp"
#include "util/parallel.hpp"

namespace {

using attnlab::Json;
using emscripten::val;

val error_value(const std::string& message) {
    val out = val::object();
    out.set("error", message);
    return out;
}

// Runs f, turning any exception into {error}; `call` names what failed in an error that is attnlab's own fault.
template <class F>
val guarded(const std::string& call, F&& f) {
    try {
        return f();
    } catch (const attnlab::Error& e) {
        return error_value(e.what());
    } catch (const std::bad_alloc&) {
        return error_value("out of memory: the model or the text is too large for this tab");
    } catch (const std::exception& e) {
        return error_value("internal error in " + call + " (please report it): " + e.what());
    }
}

// Reads the caller's options with f; a field of the wrong type or shape is the caller's error, said as such.
template <class F>
auto reading_options(F&& f) {
    try {
        return f();
    } catch (const Json::exception& e) {
        throw attnlab::Error(std::string("bad options: ") + e.what());
    }
}

// One copy of a JS Uint8Array into memory the core owns.
attnlab::SharedBytes bytes_from_js(const val& array) {
    const std::size_t n = array["length"].as<std::size_t>();
    auto buffer = std::make_shared<std::vector<std::uint8_t>>(n);
    val(emscripten::typed_memory_view(n, buffer->data())).call<void>("set", array);
    return attnlab::SharedBytes{attnlab::ByteView{buffer->data(), n}, buffer};
}

// A JS reader {size, read(offset, Uint8Array view) -> undefined or an error message} as a ByteSource: the
// file stays in JS (a Blob, a file on disk) and only the chunks the loader asks for enter wasm memory.
attnlab::ByteSource source_from_js(const val& reader, const std::string& name) {
    attnlab::ByteSource source;
    source.size = static_cast<std::size_t>(reader["size"].as<double>());
    source.read = [reader, name](std::size_t offset, std::size_t n, std::uint8_t* out) {
        const val problem = reader.call<val>("read", static_cast<double>(offset), val(emscripten::typed_memory_view(n, out)));
        if (problem.isString()) throw attnlab::Error(name + ": " + problem.as<std::string>());
    };
    return source;
}

// A checkpoint's files {name: Uint8Array or reader} (model.safetensors may be a reader, see source_from_js), each
// checked against its size limit before it is copied: a file too large must not grow the heap, which never shrinks.
std::vector<attnlab::NamedBuffer> buffers_from_js(const val& files, const attnlab::LoadLimits& limits) {
    std::vector<attnlab::NamedBuffer> buffers;
    const val names = val::global("Object").call<val>("keys", files);
    const int n = names["length"].as<int>();
    for (int i = 0; i < n; ++i) {
        const std::string name = names[i].as<std::string>();
        const val file = files[name];
        const bool reader = file["read"].typeOf().as<std::string>() == "function";
        attnlab::check_file_size(name, static_cast<std::uint64_t>(file[reader ? "size" : "length"].as<double>()), limits);
        if (reader) buffers.push_back({name, {}, source_from_js(file, name)});
        else buffers.push_back({name, bytes_from_js(file)});
    }
    return buffers;
}

val json_value(const Json& j) {
    val out = val::object();
    out.set("json", j.dump(-1, ' ', false, Json::error_handler_t::replace));
    return out;
}

attnlab::Progress progress_from_js(const val& callback) {
    if (callback.isUndefined() || callback.isNull()) return nullptr;
    return [callback](int done, int total, const std::string& what) { callback(done, total, what); };
}

std::vector<attnlab::HeadId> heads_option(const Json& o, const char* key) {
    std::vector<attnlab::HeadId> heads;
    for (const auto& h : o.value(key, Json::array())) heads.push_back({h.at(0).get<int>(), h.at(1).get<int>()});
    return heads;
}

// {"normaliser": "sparsemax", "normaliser_heads": [[l, h], ...]} (no heads: every head)
attnlab::NormaliserChoice normaliser_option(const Json& o) {
    return {o.value("normaliser", std::string("softmax")), heads_option(o, "normaliser_heads")};
}

Json parse_options(const std::string& text) {
    if (text.empty()) return Json::object();
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw attnlab::Error("options must be a JSON object");
    return j;
}

double weight_bytes(const attnlab::Weights& w);

class Session {
public:
    // files: {name: Uint8Array} with config.json, model.safetensors, vocab.json + merges.txt or tokenizer.json;
    // model.safetensors may instead be a reader {size, read(offset, view)} (see source_from_js).
    // Options (JSON): {"storage": "auto" | "f16" | "f32"} (how weight matrices are kept; default auto),
    // "max_checkpoint_bytes" (3.5 GiB), "max_weight_bytes" (3 GiB), "max_tensors" (10,000): checked first.
    val load(const val& files, const std::string& options) {
        return guarded("load", [&] {
            const Json o = parse_options(options);
            attnlab::LoadOptions lo;
            reading_options([&] {
                lo.storage = attnlab::parse_weight_storage(o.value("storage", std::string("auto")), "storage");
                // A tab's wasm32 memory is 4 GiB: room for the weights and the activations of a run.
                lo.limits.max_checkpoint_bytes = o.value("max_checkpoint_bytes", std::uint64_t{7} << 29);  // 3.5 GiB
                lo.limits.max_weight_bytes = o.value("max_weight_bytes", std::uint64_t{3} << 30);
                lo.limits.max_tensors = o.value("max_tensors", lo.limits.max_tensors);
                return 0;
            });
            const std::vector<attnlab::NamedBuffer> buffers = buffers_from_js(files, lo.limits);
            checkpoint_.reset();  // the caller keeps its previous session until this one succeeds
            checkpoint_ = attnlab::load_checkpoint(buffers, lo, prepared_ ? &*prepared_ : nullptr);
            prepared_.reset();
            const attnlab::Config& c = checkpoint_->model.config;
            Json info;
            info["family"] = attnlab::family_name(c.family);
            info["architecture"] = attnlab::architecture_name(c.family);
            info["n_layer"] = c.n_layer;
            info["n_head"] = c.n_head;
            info["n_kv_head"] = c.kv_heads();
            info["head_dim"] = c.head_dim();
            info["scaled_scores"] = c.scale_attn_weights;  // false: GPT-Neo's q k without 1/sqrt(d)
            auto& local = info["local_layers"] = Json::array();  // GPT-Neo: layers that see only the last `window` keys
            for (int l = 0; l < c.n_layer; ++l)
                if (c.window_of(l) > 0) local.push_back(l);
            info["window"] = c.window;
            info["n_embd"] = c.n_embd;
            info["n_positions"] = c.n_positions;
            info["vocab_size"] = c.vocab_size;
            info["parameters"] = attnlab::param_count(c);
            info["notes"] = checkpoint_->notes;
            info["weight_bytes"] = weight_bytes(checkpoint_->model.weights);
            return json_value(info);
        });
    }

    // Builds the tokenizer of the checkpoint this session will load, from its tokenizer files ({name: Uint8Array}:
    // tokenizer.json, or vocab.json + merges.txt), while its weights are still on their way: load() then takes it when
    // its own tokenizer files hold the same bytes. Returns {} or {error}.
    val prepare(const val& files) {
        return guarded("prepare", [&] {
            prepared_ = attnlab::prepare_tokenizer(buffers_from_js(files, attnlab::LoadLimits{}));
            return val::object();
        });
    }

    // {json: {"ids": [...], "tokens": ["bytes as text", ...]}}
    val tokenize(const std::string& text) {
        return guarded("tokenize", [&] {
            const auto& tok = checkpoint().tokenizer;
            const std::vector<int> ids = tok.encode(text);
            Json out;
            out["ids"] = ids;
            auto& tokens = out["tokens"] = Json::array();
            for (int id : ids) tokens.push_back(tok.token_bytes(id));
            return json_value(out);
        });
    }

    // One window of the text for the page's per-token views (analysis/token_view.hpp). Options (JSON): {"start": 0,
    // "length": 0 (the context), "temperature": 1, "heads": [[l, h], ...], "thumbnail": 0, "top_k": 0, "top_rows": [] (the
    // window positions whose predictions top_k computes; none: all)}. Returns
    // {total, start, tokens: T, probs: Float32Array (heads x T x T), thumbnail: B, thumbnails: Float32Array
    // (layers x heads x B x B), top_k, top_ids: Int32Array (T x k), top_probs: Float32Array (T x k), next_prob:
    // Float32Array (T), next_rank: Int32Array (T), strings: JSON {id: token text} of the predicted ids}: the arrays
    // are views of the session's memory until the next call.
    val tokenView(const std::string& text, const std::string& options) {
        return guarded("tokenView", [&] {
            const Json o = parse_options(options);
            attnlab::TokenViewRequest r = reading_options([&] {
                attnlab::TokenViewRequest q;
                q.start = o.value("start", 0);
                q.length = o.value("length", 0);
                q.temperature = o.value("temperature", 1.0);
                q.heads = heads_option(o, "heads");
                q.thumbnail = o.value("thumbnail", 0);
                q.top_k = o.value("top_k", 0);
                q.top_rows = o.value("top_rows", std::vector<int>{});
                return q;
            });
            view_ = attnlab::token_view(checkpoint().model, ids_of(text), r);
            view_probs_.clear();
            for (const auto& h : view_.heads) view_probs_.insert(view_probs_.end(), h.probs.data(), h.probs.data() + h.probs.size());
            const auto f32 = [](const std::vector<float>& v) { return val(emscripten::typed_memory_view(v.size(), v.data())); };
            const auto i32 = [](const std::vector<int>& v) { return val(emscripten::typed_memory_view(v.size(), v.data())); };
            val out = val::object();
            out.set("total", view_.total);
            out.set("start", view_.start);
            out.set("tokens", view_.length);
            out.set("probs", f32(view_probs_));
            out.set("thumbnail", view_.thumbnail);
            out.set("thumbnails", f32(view_.thumbnails));
            out.set("top_k", view_.top_k);
            out.set("top_ids", i32(view_.top_ids));
            out.set("top_probs", f32(view_.top_probs));
            out.set("next_prob", f32(view_.next_prob));
            out.set("next_rank", i32(view_.next_rank));
            // the predicted tokens' text, once per distinct id: {"id": "token", ...}
            Json strings = Json::object();
            for (int id : view_.top_ids)
                if (id >= 0) strings[std::to_string(id)] = checkpoint().tokenizer.token_bytes(id);
            out.set("strings", strings.dump(-1, ' ', false, Json::error_handler_t::replace));
            return out;
        });
    }

    // Options (JSON): {"temperature": 1, "heads": [[l, h], ...], "all_heads": false, "ids": [...] (instead of the text)}
    val run(const std::string& text, const std::string& options) {
        return guarded("run", [&] {
            const Json o = parse_options(options);
            attnlab::RunRequest r;
            const std::vector<int> ids = reading_options([&] {
                r.temperature = o.value("temperature", 1.0);
                r.all_heads = o.value("all_heads", false);
                r.heads = heads_option(o, "heads");
                r.normaliser = normaliser_option(o);
                return o.contains("ids") ? o.at("ids").get<std::vector<int>>() : ids_of(text);
            });
            return json_value(attnlab::run_report(checkpoint().model, ids, r));
        });
    }

    // One analysis of the core's table (describe() lists them). inputs: {text: "..." | ["...", ...],
    // corpus: "...", averages: Uint8Array, model_name: "..."}; request (JSON): the analysis's fields, missing
    // ones at their defaults. Progress: progress(done, total, what).
    val analyze(const std::string& name, const val& inputs, const std::string& request, const val& progress) {
        return guarded("analyze " + name, [&] {
            const attnlab::AnalysisSpec& spec = attnlab::find_analysis(name);
            attnlab::AnalysisInputs in;
            std::vector<attnlab::SharedBytes> kept;
            if (inputs["model_name"].isString()) in.model_name = inputs["model_name"].as<std::string>();
            for (const auto& i : spec.inputs) {
                const val v = inputs[i.name];
                if (v.isUndefined() || v.isNull()) {
                    if (i.group.empty()) throw attnlab::Error(name + ": give the " + i.name + " input (" + i.help + ")");
                    continue;
                }
                if (i.kind == attnlab::InputKind::Bytes) {
                    kept.push_back(bytes_from_js(v));
                    in.bytes[i.name] = kept.back().bytes;
                } else if (i.kind == attnlab::InputKind::Corpus) {
                    in.corpora[i.name] = ids_of(v.as<std::string>());
                } else if (v.isArray()) {
                    const int n = v["length"].as<int>();
                    for (int k = 0; k < n; ++k) in.texts.push_back(ids_of(v[k].as<std::string>()));
                } else {
                    in.texts.push_back(ids_of(v.as<std::string>()));
                }
            }
            return json_value(attnlab::run_analysis(spec, checkpoint().model, in, parse_options(request),
                                                    attnlab::NameStyle::Key, progress_from_js(progress))
                                  .report);
        });
    }

private:
    const attnlab::Checkpoint& checkpoint() const {
        if (!checkpoint_) throw attnlab::Error("no model is loaded");
        return *checkpoint_;
    }
    std::vector<int> ids_of(const std::string& text) const { return checkpoint().tokenizer.encode(text); }

    std::optional<attnlab::PreparedTokenizer> prepared_;
    std::optional<attnlab::Checkpoint> checkpoint_;
    attnlab::TokenView view_;
    std::vector<float> view_probs_;
};

// Bytes the weights hold in memory (F32 or F16 matrices, F32 vectors), the tied lm_head counted once.
double weight_bytes(const attnlab::Weights& w) {
    double total = 0;
    auto mat = [&](const attnlab::Tensor2& t) { total += double(t.rows) * t.cols * (t.half ? 2 : 4); };
    auto vec = [&](const attnlab::Tensor1& t) { total += double(t.size) * 4; };
    mat(w.wte);
    mat(w.wpe);
    for (const auto& l : w.layers) {
        for (const auto* t : {&l.attn_w, &l.attn_proj_w, &l.fc_w, &l.mlp_proj_w}) mat(*t);
        for (const auto* t : {&l.ln_1_w, &l.ln_1_b, &l.attn_b, &l.attn_proj_b, &l.ln_2_w, &l.ln_2_b, &l.fc_b, &l.mlp_proj_b}) vec(*t);
    }
    vec(w.ln_f_w);
    vec(w.ln_f_b);
    if (!w.tied_lm_head) mat(w.lm_head);
    return total;
}

// Bytes of the heap in use (dlmalloc's count of allocated, not freed bytes): how tests and the page see that
// unloading a model gives its memory back. Counted as unsigned: a wasm32 heap is at most 4 GiB.
// The analyses' table as JSON: names, request fields with defaults and limits, inputs (describe_analyses).
std::string describe() { return attnlab::describe_analyses().dump(); }

double heap_in_use() { return static_cast<double>(static_cast<unsigned>(mallinfo().uordblks)); }

}  // namespace

EMSCRIPTEN_BINDINGS(attnlab) {
    emscripten::function("heapInUse", &heap_in_use);
    emscripten::function("describe", &describe);
    emscripten::function("computeThreads", &attnlab::compute_threads);  // threads the forward pass and analyses use
    emscripten::class_<Session>("Session")
        .constructor<>()
        .function("load", &Session::load)
        .function("prepare", &Session::prepare)
        .function("tokenize", &Session::tokenize)
        .function("tokenView", &Session::tokenView)
        .function("run", &Session::run)
        .function("analyze", &Session::analyze);
}
