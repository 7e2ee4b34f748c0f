#include "io/config_json.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "error.hpp"

namespace attnlab {
namespace {

using PlainJson = nlohmann::json;  // not attnlab::Json (ordered): a unity build puts both in one file

const PlainJson* field(const PlainJson& j, const char* key, const char* fallback_key = nullptr) {
    auto it = j.find(key);
    if ((it == j.end() || it->is_null()) && fallback_key) it = j.find(fallback_key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}

int read_int(const PlainJson& j, const char* key, const char* fallback_key, const std::string& where) {
    const PlainJson* v = field(j, key, fallback_key);
    if (!v) throw Error(where + ": missing \"" + key + "\"");
    if (!v->is_number_integer()) throw Error(where + ": \"" + key + "\" must be an integer");
    const auto n = v->get<long long>();
    if (n <= 0 || n > 1LL << 30) throw Error(where + ": \"" + key + "\" = " + std::to_string(n) + " is out of range");
    return static_cast<int>(n);
}

int read_int_or(const PlainJson& j, const char* key, int fallback, const std::string& where) {
    return field(j, key) ? read_int(j, key, nullptr, where) : fallback;
}

bool read_bool(const PlainJson& j, const char* key, bool fallback, const std::string& where) {
    const PlainJson* v = field(j, key);
    if (!v) return fallback;
    if (!v->is_boolean()) throw Error(where + ": \"" + key + "\" must be true or false");
    return v->get<bool>();
}

double read_number(const PlainJson& j, const char* key, const char* fallback_key, double fallback, const std::string& where) {
    const PlainJson* v = field(j, key, fallback_key);
    if (!v) return fallback;
    if (!v->is_number()) throw Error(where + ": \"" + key + "\" must be a number");
    return v->get<double>();
}

Activation read_activation(const PlainJson& j, const char* key, const char* fallback, const std::string& where) {
    const PlainJson* v = field(j, key);
    const std::string name = v ? (v->is_string() ? v->get<std::string>() : "") : fallback;
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::GeluNew;
    if (name == "gelu") return Activation::GeluExact;
    if (name == "relu") return Activation::Relu;
    if (name == "silu" || name == "swish") return Activation::Silu;
    throw Error(where + ": " + key + " \"" + name + "\" is not supported (gelu_new, gelu_pytorch_tanh, gelu, relu, silu)");
}

// Options attnlab does not implement are refused by name, never run as something else.
void refuse(const PlainJson& j, const char* key, const std::string& where, const std::string& why) {
    const PlainJson* v = field(j, key);
    if (v && !(v->is_boolean() && !v->get<bool>())) throw Error(where + ": \"" + key + "\" is set; " + why);
}

void read_gpt2(const PlainJson& j, const std::string& where, Config& c) {
    c.n_layer = read_int(j, "n_layer", "num_hidden_layers", where);
    c.n_head = read_int(j, "n_head", "num_attention_heads", where);
    c.n_embd = read_int(j, "n_embd", "hidden_size", where);
    c.n_positions = read_int(j, "n_positions", "n_ctx", where);
    c.n_inner = read_int_or(j, "n_inner", 0, where);
    c.layer_norm_epsilon = static_cast<float>(read_number(j, "layer_norm_epsilon", nullptr, 1e-5, where));
    c.activation = read_activation(j, "activation_function", "gelu_new", where);
    c.scale_attn_weights = read_bool(j, "scale_attn_weights", true, where);
    c.scale_attn_by_inverse_layer_idx = read_bool(j, "scale_attn_by_inverse_layer_idx", false, where);
    c.tied_head = read_bool(j, "tie_word_embeddings", true, where);
}

// The shape fields as the newer Hugging Face configs name them (Llama, Qwen, GPT-NeoX).
void read_hf_shape(const PlainJson& j, const std::string& where, Config& c) {
    c.n_layer = read_int(j, "num_hidden_layers", nullptr, where);
    c.n_head = read_int(j, "num_attention_heads", nullptr, where);
    c.n_embd = read_int(j, "hidden_size", nullptr, where);
    c.n_positions = read_int(j, "max_position_embeddings", nullptr, where);
    c.n_inner = read_int(j, "intermediate_size", nullptr, where);
}

// The inverse of read_hf_shape, with the MLP's activation (Llama, Qwen, GPT-NeoX).
void write_hf_shape(const Config& c, nlohmann::ordered_json& j) {
    j["hidden_act"] = activation_name(c.activation);
    j["num_hidden_layers"] = c.n_layer;
    j["num_attention_heads"] = c.n_head;
    j["hidden_size"] = c.n_embd;
    j["intermediate_size"] = c.mlp_width();
    j["max_position_embeddings"] = c.n_positions;
}

// Llama, Qwen2 and Qwen3: RMSNorm, rotary positions, SwiGLU, grouped-query attention.
void read_llama_like(const PlainJson& j, const std::string& where, Family family, Config& c) {
    read_hf_shape(j, where, c);
    c.n_kv_head = read_int_or(j, "num_key_value_heads", c.n_head, where);
    c.head_size = read_int_or(j, "head_dim", 0, where);
    set_family(c, family);
    c.layer_norm_epsilon = static_cast<float>(read_number(j, "rms_norm_eps", nullptr, c.layer_norm_epsilon, where));
    c.rope_theta = read_number(j, "rope_theta", nullptr, c.rope_theta, where);
    c.activation = read_activation(j, "hidden_act", "silu", where);
    c.tied_head = read_bool(j, "tie_word_embeddings", c.tied_head, where);
    refuse(j, "rope_scaling", where, "scaled rotary positions (Llama 3.1/3.2's, YaRN, ...) are not implemented");
    refuse(j, "use_sliding_window", where, "sliding-window attention is not implemented for this family");
    if (family == Family::Llama) {
        c.qkv_bias = c.proj_bias = read_bool(j, "attention_bias", c.qkv_bias, where);
        c.mlp_bias = read_bool(j, "mlp_bias", c.mlp_bias, where);
    } else if (family == Family::Qwen3) {
        c.qkv_bias = c.proj_bias = read_bool(j, "attention_bias", c.qkv_bias, where);
    }
    const double partial = read_number(j, "partial_rotary_factor", nullptr, 1.0, where);
    if (partial != 1.0) throw Error(where + ": \"partial_rotary_factor\" = " + std::to_string(partial) + " is not supported for this family (1 only)");
}

void read_gpt_neox(const PlainJson& j, const std::string& where, Config& c) {
    read_hf_shape(j, where, c);
    set_family(c, Family::GptNeoX);
    c.layer_norm_epsilon = static_cast<float>(read_number(j, "layer_norm_eps", nullptr, c.layer_norm_epsilon, where));
    c.activation = read_activation(j, "hidden_act", "gelu", where);
    c.parallel_residual = read_bool(j, "use_parallel_residual", c.parallel_residual, where);
    c.qkv_bias = c.proj_bias = read_bool(j, "attention_bias", c.qkv_bias, where);
    c.rope_theta = read_number(j, "rotary_emb_base", "rope_theta", c.rope_theta, where);
    c.tied_head = read_bool(j, "tie_word_embeddings", c.tied_head, where);
    refuse(j, "rope_scaling", where, "scaled rotary positions are not implemented");
    if (c.n_embd % c.n_head != 0) return;  // validate() names it
    const double pct = read_number(j, "rotary_pct", "partial_rotary_factor", 0.25, where);
    if (!(pct > 0.0 && pct <= 1.0)) throw Error(where + ": \"rotary_pct\" must be in (0, 1]");
    c.rotary_dim = static_cast<int>(c.head_dim() * pct);  // int(), as the reference implementation truncates
}

void read_gpt_neo(const PlainJson& j, const std::string& where, Config& c) {
    c.n_layer = read_int(j, "num_layers", "num_hidden_layers", where);
    c.n_head = read_int(j, "num_heads", "num_attention_heads", where);
    c.n_embd = read_int(j, "hidden_size", nullptr, where);
    c.n_positions = read_int(j, "max_position_embeddings", nullptr, where);
    c.n_inner = read_int_or(j, "intermediate_size", 0, where);
    c.layer_norm_epsilon = static_cast<float>(read_number(j, "layer_norm_epsilon", nullptr, 1e-5, where));
    c.activation = read_activation(j, "activation_function", "gelu_new", where);
    set_family(c, Family::GptNeo);
    c.window = read_int_or(j, "window_size", 256, where);
    // attention_types [[["global", "local"], 6]] expands to 12 layers; attention_layers lists them as given
    std::vector<std::string> kinds;
    if (const PlainJson* types = field(j, "attention_types")) {
        if (!types->is_array()) throw Error(where + ": \"attention_types\" must be a list of [[kinds...], repeat]");
        for (const auto& group : *types) {
            if (!group.is_array() || group.size() != 2 || !group[0].is_array() || !group[1].is_number_integer() ||
                group[1].get<long long>() < 0 || group[1].get<long long>() > 4096)
                throw Error(where + ": \"attention_types\" must be a list of [[kinds...], repeat]");
            for (long long r = 0; r < group[1].get<long long>(); ++r)
                for (const auto& k : group[0]) kinds.push_back(k.is_string() ? k.get<std::string>() : "");
        }
    } else if (const PlainJson* layers = field(j, "attention_layers")) {
        if (!layers->is_array()) throw Error(where + ": \"attention_layers\" must be a list");
        for (const auto& k : *layers) kinds.push_back(k.is_string() ? k.get<std::string>() : "");
    } else {
        kinds.assign(static_cast<std::size_t>(c.n_layer), "global");
    }
    if (static_cast<int>(kinds.size()) != c.n_layer)
        throw Error(where + ": the attention types name " + std::to_string(kinds.size()) + " layers; num_layers is " +
                    std::to_string(c.n_layer));
    for (const auto& k : kinds) {
        if (k != "global" && k != "local") throw Error(where + ": attention type \"" + k + "\" is not global or local");
        c.local_layers.push_back(k == "local");
    }
}

}  // namespace

Config parse_config(const std::string& text, const std::string& where) {
    PlainJson j;
    try {
        j = PlainJson::parse(text);
    } catch (const PlainJson::exception& e) {
        throw Error(where + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!j.is_object()) throw Error(where + ": expected a JSON object");
    std::string type = "gpt2";
    if (const PlainJson* t = field(j, "model_type")) {
        if (!t->is_string()) throw Error(where + ": \"model_type\" must be a string");
        type = t->get<std::string>();
    }
    Config c;
    try {
        if (type == "gpt2") read_gpt2(j, where, c);
        else if (type == "llama" || type == "qwen2" || type == "qwen3")
            read_llama_like(j, where, type == "llama" ? Family::Llama : type == "qwen2" ? Family::Qwen2 : Family::Qwen3, c);
        else if (type == "gpt_neox")
            read_gpt_neox(j, where, c);
        else if (type == "gpt_neo") {
            read_gpt_neo(j, where, c);
        } else
            throw Error(where + ": model_type is \"" + type +
                        "\"; attnlab reads the families gpt2, llama, qwen2, qwen3, gpt_neox (Pythia) and gpt_neo");
    } catch (const PlainJson::exception& e) {
        throw Error(where + ": " + std::string(e.what()));
    }
    c.vocab_size = read_int(j, "vocab_size", nullptr, where);
    c.validate(where);
    return c;
}

std::string config_to_json(const Config& c) {
    nlohmann::ordered_json j = {{"architectures", {architecture_name(c.family)}}};
    switch (c.family) {
        case Family::Gpt2:
            j["model_type"] = "gpt2";
            j["activation_function"] = activation_name(c.activation);
            j["n_layer"] = c.n_layer;
            j["n_head"] = c.n_head;
            j["n_embd"] = c.n_embd;
            j["n_positions"] = c.n_positions;
            j["n_ctx"] = c.n_positions;
            if (c.n_inner > 0) j["n_inner"] = c.n_inner;
            j["layer_norm_epsilon"] = c.layer_norm_epsilon;
            j["scale_attn_weights"] = c.scale_attn_weights;
            j["scale_attn_by_inverse_layer_idx"] = c.scale_attn_by_inverse_layer_idx;
            j["bos_token_id"] = 50256;
            j["eos_token_id"] = 50256;
            break;
        case Family::Llama:
        case Family::Qwen2:
        case Family::Qwen3:
            j["model_type"] = c.family == Family::Llama ? "llama" : c.family == Family::Qwen2 ? "qwen2" : "qwen3";
            write_hf_shape(c, j);
            j["num_key_value_heads"] = c.kv_heads();
            j["head_dim"] = c.head_dim();
            j["rms_norm_eps"] = c.layer_norm_epsilon;
            j["rope_theta"] = c.rope_theta;
            j["rope_scaling"] = nullptr;
            if (c.family != Family::Qwen2) j["attention_bias"] = c.qkv_bias;
            if (c.family == Family::Llama) j["mlp_bias"] = c.mlp_bias;
            break;
        case Family::GptNeoX:
            j["model_type"] = "gpt_neox";
            write_hf_shape(c, j);
            j["layer_norm_eps"] = c.layer_norm_epsilon;
            j["rotary_pct"] = static_cast<double>(c.rotary_dim) / c.head_dim();
            j["rotary_emb_base"] = c.rope_theta;
            j["use_parallel_residual"] = c.parallel_residual;
            j["attention_bias"] = c.qkv_bias;
            break;
        case Family::GptNeo: {
            j["model_type"] = "gpt_neo";
            j["activation_function"] = activation_name(c.activation);
            j["num_layers"] = c.n_layer;
            j["num_heads"] = c.n_head;
            j["hidden_size"] = c.n_embd;
            j["intermediate_size"] = c.n_inner > 0 ? nlohmann::ordered_json(c.n_inner) : nlohmann::ordered_json(nullptr);
            j["max_position_embeddings"] = c.n_positions;
            j["layer_norm_epsilon"] = c.layer_norm_epsilon;
            j["window_size"] = c.window;
            nlohmann::ordered_json layers = nlohmann::ordered_json::array();
            for (int l = 0; l < c.n_layer; ++l)
                layers.push_back(!c.local_layers.empty() && c.local_layers[static_cast<std::size_t>(l)] ? "local" : "global");
            j["attention_layers"] = layers;
            break;
        }
    }
    j["vocab_size"] = c.vocab_size;
    j["tie_word_embeddings"] = c.tied_head;
    return j.dump(2) + "\n";
}

}  // namespace attnlab
