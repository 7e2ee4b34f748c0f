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

void check_error(const std::string& json, const std::string& part) {
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
    check_error(R"({"n_layer":1,"n_head":3,"n_embd":8,"n_positions":16,"vocab_size":300})", "n_embd = 8 is not divisible by n_head = 3");
}

TEST_CASE("missing, mistyped and absurd fields are refused by name") {
    check_error(R"({"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":300})", "\"n_layer\"");
    check_error(R"({"n_layer":"2","n_head":2,"n_embd":8,"n_positions":16,"vocab_size":300})", "must be an integer");
    check_error(R"({"n_layer":100000,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":300})", "n_layer");
    check_error(R"({"n_layer":1,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":-5})", "vocab_size");
    check_error("{", "not valid JSON");
    check_error(R"({"model_type":"llama","n_layer":1})", "llama");
    check_error(R"({"n_layer":1,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":300,"activation_function":"swish"})", "swish");
}

}
