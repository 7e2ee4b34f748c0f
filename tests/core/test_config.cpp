#include <doctest/doctest.h>

#include "error.hpp"
#include "io/config_json.hpp"

using namespace attnlab;

namespace {

// The config.json of openai-community/gpt2, as published.
const char* k_gpt2_config = R"({
  "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
  "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
  "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12,
  "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1, "summary_activation": null,
  "summary_first_dropout": 0.1, "summary_proj_to_labels": true, "summary_type": "cls_index",
  "summary_use_proj": true, "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
  "vocab_size": 50257})";

void check_config_error(const std::string& json, const std::string& part) {
    try {
        parse_config(json, "config.json");
        FAIL("no error raised");
    } catch (const Error& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find(part) != std::string::npos);
        CHECK(std::string(e.what()).find("config.json") != std::string::npos);
    }
}

}  // namespace

TEST_SUITE("config") {

TEST_CASE("the published gpt2 config.json reads as 12 layers, 12 heads, 768 channels") {
    const Config c = parse_config(k_gpt2_config, "config.json");
    CHECK(c.n_layer == 12);
    CHECK(c.n_head == 12);
    CHECK(c.n_embd == 768);
    CHECK(c.head_dim() == 64);
    CHECK(c.n_positions == 1024);
    CHECK(c.vocab_size == 50257);
    CHECK(c.layer_norm_epsilon == doctest::Approx(1e-5));
    CHECK(c.activation == Activation::GeluNew);
    CHECK(c.scale_attn_weights);
    CHECK_FALSE(c.scale_attn_by_inverse_layer_idx);
}

TEST_CASE("config_to_json writes a config that reads back the same") {
    Config c = parse_config(k_gpt2_config, "config.json");
    c.n_layer = 3;
    c.activation = Activation::GeluExact;
    const Config back = parse_config(config_to_json(c), "again");
    CHECK(back.n_layer == 3);
    CHECK(back.activation == Activation::GeluExact);
    CHECK(back.n_embd == 768);
}

TEST_CASE("n_ctx stands in for a missing n_positions") {
    const Config c = parse_config(R"({"n_layer":1,"n_head":2,"n_embd":8,"n_ctx":16,"vocab_size":300})", "config.json");
    CHECK(c.n_positions == 16);
}

TEST_CASE("n_embd not divisible by n_head is refused with both numbers") {
    check_config_error(R"({"n_layer":1,"n_head":3,"n_embd":8,"n_positions":16,"vocab_size":300})", "n_embd = 8 is not divisible by n_head = 3");
}

TEST_CASE("missing, mistyped and absurd fields are refused by name") {
    check_config_error(R"({"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":300})", "\"n_layer\"");
    check_config_error(R"({"n_layer":"2","n_head":2,"n_embd":8,"n_positions":16,"vocab_size":300})", "must be an integer");
    check_config_error(R"({"n_layer":100000,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":300})", "n_layer");
    check_config_error(R"({"n_layer":1,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":-5})", "vocab_size");
    check_config_error("{", "not valid JSON");
    check_config_error(R"({"model_type":"mistral","n_layer":1})", "model_type is \"mistral\"");
    check_config_error(R"({"n_layer":1,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":300,"activation_function":"quick_gelu"})", "quick_gelu");
}

// A config.json with the published hyper-parameters of HuggingFaceTB/SmolLM2-135M (and fields attnlab need not read).
const char* k_smollm2_config = R"({
  "architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 0,
  "eos_token_id": 0, "hidden_act": "silu", "hidden_size": 576, "initializer_range": 0.041666666666666664,
  "intermediate_size": 1536, "is_llama_config": true, "max_position_embeddings": 8192, "model_type": "llama",
  "num_attention_heads": 9, "num_hidden_layers": 30, "num_key_value_heads": 3, "pretraining_tp": 1,
  "rms_norm_eps": 1e-05, "rope_interleaved": false, "rope_scaling": null, "rope_theta": 100000,
  "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_cache": true, "vocab_size": 49152})";

TEST_CASE("SmolLM2-135M's config reads as Llama: 30 layers, 9 query heads sharing 3 key/value heads, RMSNorm, rotary, SwiGLU") {
    const Config c = parse_config(k_smollm2_config, "config.json");
    CHECK(c.family == Family::Llama);
    CHECK(c.n_layer == 30);
    CHECK(c.n_head == 9);
    CHECK(c.kv_heads() == 3);
    CHECK(c.head_dim() == 64);
    CHECK(c.kv_head_of(0) == 0);
    CHECK(c.kv_head_of(2) == 0);
    CHECK(c.kv_head_of(3) == 1);
    CHECK(c.kv_head_of(8) == 2);
    CHECK(c.qkv_width() == 9 * 64 + 2 * 3 * 64);
    CHECK(c.mlp_width() == 1536);
    CHECK(c.norm == Norm::Rms);
    CHECK(c.layer_norm_epsilon == doctest::Approx(1e-5));
    CHECK(c.rotary_dim == 64);
    CHECK(c.rope_theta == 100000.0);
    CHECK(c.gated_mlp);
    CHECK(c.activation == Activation::Silu);
    CHECK_FALSE(c.learned_positions);
    CHECK(c.tied_head);
    CHECK_FALSE(c.qkv_bias);
    CHECK(c.n_positions == 8192);
}

TEST_CASE("Pythia-70m's config reads as GPT-NeoX: a quarter of each head rotates, parallel residual, exact GELU, untied") {
    const Config c = parse_config(R"({"architectures": ["GPTNeoXForCausalLM"], "bos_token_id": 0, "eos_token_id": 0,
      "hidden_act": "gelu", "hidden_size": 512, "initializer_range": 0.02, "intermediate_size": 2048,
      "layer_norm_eps": 1e-05, "max_position_embeddings": 2048, "model_type": "gpt_neox", "num_attention_heads": 8,
      "num_hidden_layers": 6, "rotary_emb_base": 10000, "rotary_pct": 0.25, "tie_word_embeddings": false,
      "torch_dtype": "float16", "use_cache": true, "use_parallel_residual": true, "vocab_size": 50304})", "config.json");
    CHECK(c.family == Family::GptNeoX);
    CHECK(c.head_dim() == 64);
    CHECK(c.rotary_dim == 16);
    CHECK(c.parallel_residual);
    CHECK(c.activation == Activation::GeluExact);
    CHECK_FALSE(c.tied_head);
    // q, k and v of each head side by side in the fused projection
    CHECK(c.q_column(1) == 192);
    CHECK(c.k_column(1) == 256);
    CHECK(c.v_column(1) == 320);
}

TEST_CASE("TinyStories-33M's config reads as GPT-Neo: unscaled scores, global and local layers alternating, a 256-key window") {
    const Config c = parse_config(R"({"activation_function": "gelu_new", "architectures": ["GPTNeoForCausalLM"],
      "attention_types": [[["global", "local"], 2]], "hidden_size": 768, "intermediate_size": null,
      "layer_norm_epsilon": 1e-05, "max_position_embeddings": 2048, "model_type": "gpt_neo", "num_heads": 16,
      "num_layers": 4, "vocab_size": 50257, "window_size": 256})", "config.json");
    CHECK(c.family == Family::GptNeo);
    CHECK(c.attention_scale(0) == 1.0f);
    CHECK(c.local_layers == std::vector<bool>{false, true, false, true});
    CHECK(c.first_key(0, 1000) == 0);       // global: every earlier key
    CHECK(c.first_key(1, 255) == 0);        // local, within the window
    CHECK(c.first_key(1, 1000) == 745);     // local: the last 256 keys, 745..1000
    CHECK(c.mlp_width() == 4 * 768);
}

TEST_CASE("Qwen3's head_dim is taken from the config, not hidden / heads, and q and k get their own RMSNorm") {
    const Config c = parse_config(R"({"model_type": "qwen3", "hidden_size": 1024, "num_attention_heads": 16,
      "num_key_value_heads": 8, "head_dim": 128, "num_hidden_layers": 28, "intermediate_size": 3072,
      "max_position_embeddings": 40960, "rms_norm_eps": 1e-06, "rope_theta": 1000000, "rope_scaling": null,
      "tie_word_embeddings": true, "vocab_size": 151936, "attention_bias": false, "hidden_act": "silu",
      "use_sliding_window": false})", "config.json");
    CHECK(c.family == Family::Qwen3);
    CHECK(c.head_dim() == 128);
    CHECK(c.q_width() == 2048);
    CHECK(c.qk_norm);
    CHECK_FALSE(c.qkv_bias);
}

TEST_CASE("options attnlab does not implement are refused by the field's name") {
    const std::string llama = R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2,
      "intermediate_size": 128, "max_position_embeddings": 64, "vocab_size": 300)";
    check_config_error(llama + R"(, "rope_scaling": {"rope_type": "llama3", "factor": 32.0}})", "\"rope_scaling\" is set");
    check_config_error(llama + R"(, "num_key_value_heads": 3})", "num_key_value_heads = 3 must divide");
    check_config_error(llama + R"(, "hidden_act": "gelu_tanh_approx"})", "gelu_tanh_approx");
    check_config_error(R"({"model_type": "qwen2", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2,
      "intermediate_size": 128, "max_position_embeddings": 64, "vocab_size": 300, "use_sliding_window": true})", "\"use_sliding_window\"");
    check_config_error(R"({"model_type": "gpt_neo", "hidden_size": 64, "num_heads": 4, "num_layers": 2, "max_position_embeddings": 64,
      "vocab_size": 300, "attention_types": [[["global", "sparse"], 1]]})", "\"sparse\"");
    check_config_error(R"({"model_type": "gpt_neo", "hidden_size": 64, "num_heads": 4, "num_layers": 3, "max_position_embeddings": 64,
      "vocab_size": 300, "attention_types": [[["global", "local"], 1]]})", "name 2 layers; num_layers is 3");
}

TEST_CASE("every family's config_to_json reads back as the same family and shape") {
    for (const char* json : {k_smollm2_config, k_gpt2_config}) {
        const Config c = parse_config(json, "config.json");
        const Config back = parse_config(config_to_json(c), "again");
        CHECK(back.family == c.family);
        CHECK(back.kv_heads() == c.kv_heads());
        CHECK(back.head_dim() == c.head_dim());
        CHECK(back.mlp_width() == c.mlp_width());
        CHECK(back.rope_theta == c.rope_theta);
        CHECK(back.tied_head == c.tied_head);
    }
}

}
