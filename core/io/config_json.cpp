#include "io/config_json.hpp"

#include <nlohmann/json.hpp>

#include "error.hpp"

namespace attnlab {
namespace {

int read_int(const nlohmann::json& j, const char* key, const char* fallback_key, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end() && fallback_key) it = j.find(fallback_key);
    if (it == j.end()) throw Error(where + ": missing \"" + key + "\"");
    if (!it->is_number_integer()) throw Error(where + ": \"" + key + "\" must be an integer");
    const auto v = it->get<long long>();
    if (v <= 0 || v > 1LL << 30) throw Error(where + ": \"" + key + "\" = " + std::to_string(v) + " is out of range");
    return static_cast<int>(v);
}

bool read_bool(const nlohmann::json& j, const char* key, bool fallback, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) throw Error(where + ": \"" + key + "\" must be true or false");
    return it->get<bool>();
}

}  // namespace

Config parse_config(const std::string& text, const std::string& where) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!j.is_object()) throw Error(where + ": expected a JSON object");
    auto model_type = j.find("model_type");
    if (model_type != j.end() && model_type->is_string() && *model_type != "gpt2")
        throw Error(where + ": model_type is \"" + model_type->get<std::string>() +
                    "\"; attnlab reads GPT-2 family checkpoints (model_type \"gpt2\")");

    Config c;
    c.n_layer = read_int(j, "n_layer", "num_hidden_layers", where);
    c.n_head = read_int(j, "n_head", "num_attention_heads", where);
    c.n_embd = read_int(j, "n_embd", "hidden_size", where);
    c.n_positions = read_int(j, "n_positions", "n_ctx", where);
    c.vocab_size = read_int(j, "vocab_size", nullptr, where);
    if (auto eps = j.find("layer_norm_epsilon"); eps != j.end()) {
        if (!eps->is_number()) throw Error(where + ": \"layer_norm_epsilon\" must be a number");
        c.layer_norm_epsilon = eps->get<float>();
    }
    if (auto act = j.find("activation_function"); act != j.end()) {
        const std::string name = act->is_string() ? act->get<std::string>() : "";
        if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast")
            c.activation = Activation::GeluNew;
        else if (name == "gelu")
            c.activation = Activation::GeluExact;
        else if (name == "relu")
            c.activation = Activation::Relu;
        else
            throw Error(where + ": activation_function \"" + name +
                        "\" is not supported (gelu_new, gelu_pytorch_tanh, gelu, relu)");
    }
    c.scale_attn_weights = read_bool(j, "scale_attn_weights", true, where);
    c.scale_attn_by_inverse_layer_idx = read_bool(j, "scale_attn_by_inverse_layer_idx", false, where);
    c.validate(where);
    return c;
}

std::string config_to_json(const Config& c) {
    nlohmann::ordered_json j = {
        {"architectures", {"GPT2LMHeadModel"}},
        {"model_type", "gpt2"},
        {"activation_function", activation_name(c.activation)},
        {"n_layer", c.n_layer},
        {"n_head", c.n_head},
        {"n_embd", c.n_embd},
        {"n_positions", c.n_positions},
        {"n_ctx", c.n_positions},
        {"vocab_size", c.vocab_size},
        {"layer_norm_epsilon", c.layer_norm_epsilon},
        {"scale_attn_weights", c.scale_attn_weights},
        {"scale_attn_by_inverse_layer_idx", c.scale_attn_by_inverse_layer_idx},
        {"bos_token_id", 50256},
        {"eos_token_id", 50256},
        {"tie_word_embeddings", true},
    };
    return j.dump(2) + "\n";
}

}  // namespace attnlab
