#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "checkpoint_builder.hpp"
#include "error.hpp"
#include "util/float16.hpp"
#include "model/gpt2.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

std::string load_error(const std::vector<NamedBuffer>& files) {
    try {
        load_checkpoint(files);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

MatRM all_logits(const Checkpoint& ck, const std::vector<int>& ids) {
    ForwardOptions o;
    o.keep_logits = KeepLogits::All;
    return forward(ck.model, ids, o).logits;
}

const std::vector<int> k_ids = {464, 3290, 318, 257, 1332, 13};

LoadOptions stored_as(WeightStorage storage) {
    LoadOptions o;
    o.storage = storage;
    return o;
}

}  // namespace

TEST_SUITE("checkpoint") {

TEST_CASE("F32 weights are viewed in place, not copied") {
    const Config c = tiny_config();
    const auto params = exact_params(c);
    const auto files = checkpoint_files(c, params);
    const Checkpoint ck = load_checkpoint(files);
    const ByteView st = files[1].bytes.bytes;
    const auto* wte = reinterpret_cast<const std::uint8_t*>(ck.model.weights.wte.data);
    CHECK(wte >= st.data);
    CHECK(wte < st.data + st.size);
    CHECK(ck.model.weights.tied_lm_head);
    CHECK(ck.model.weights.lm_head.data == ck.model.weights.wte.data);
    // h.1.mlp.c_fc.weight (8, 32) sits where param_specs puts it
    std::size_t offset = 0;
    for (const auto& spec : param_specs(c)) {
        if (spec.name == "h.1.mlp.c_fc.weight") break;
        offset += static_cast<std::size_t>(spec.count());
    }
    CHECK(ck.model.weights.layers[1].fc_w.map()(2, 5) == params[offset + 2 * 32 + 5]);
}

TEST_CASE("F16 and BF16 checkpoints of exactly representable weights give the same logits as F32") {
    const Config c = tiny_config();
    const auto params = exact_params(c);
    const MatRM reference = all_logits(load_checkpoint(checkpoint_files(c, params)), k_ids);
    for (DType dt : {DType::F16, DType::BF16}) {
        BuildOptions o;
        o.dtype = dt;
        const Checkpoint ck = load_checkpoint(checkpoint_files(c, params, o));
        CHECK((all_logits(ck, k_ids) - reference).cwiseAbs().maxCoeff() == 0.0f);
    }
}

TEST_CASE("F16 storage of an F16 checkpoint views the file's halves in place and changes no logit") {
    const Config c = tiny_config();
    const auto params = exact_params(c);
    BuildOptions f16;
    f16.dtype = DType::F16;
    const auto files = checkpoint_files(c, params, f16);
    const MatRM reference = all_logits(load_checkpoint(files), k_ids);
    for (WeightStorage s : {WeightStorage::F16, WeightStorage::Auto}) {
        const Checkpoint ck = load_checkpoint(files, stored_as(s));
        const auto* half = reinterpret_cast<const std::uint8_t*>(ck.model.weights.layers[1].fc_w.half);
        REQUIRE(half != nullptr);
        CHECK(ck.model.weights.layers[1].fc_w.data == nullptr);
        CHECK(half >= files[1].bytes.bytes.data);
        CHECK(half < files[1].bytes.bytes.data + files[1].bytes.bytes.size);
        CHECK((all_logits(ck, k_ids) - reference).cwiseAbs().maxCoeff() == 0.0f);
    }
}

TEST_CASE("F16 storage of an F32 checkpoint equals the F32 model of its matrices rounded to F16") {
    const Config c = tiny_config();
    RandomInit init;
    init.std = 0.3f;
    init.jitter = 0.2f;
    const auto params = random_params(c, init);  // not exact in F16
    // the reference: every matrix entry rounded to F16 and back by the scalar conversions, vectors as they are
    auto rounded = params;
    std::size_t at = 0;
    for (const auto& spec : param_specs(c)) {
        if (spec.shape.size() == 2)
            for (std::int64_t i = 0; i < spec.count(); ++i) rounded[at + i] = f16_to_float(float_to_f16(rounded[at + i]));
        at += static_cast<std::size_t>(spec.count());
    }
    const MatRM reference = all_logits(load_checkpoint(checkpoint_files(c, rounded)), k_ids);
    auto files = checkpoint_files(c, params);
    const Checkpoint ck = load_checkpoint(files, stored_as(WeightStorage::F16));
    CHECK(ck.model.weights.wte.half != nullptr);
    CHECK((all_logits(ck, k_ids) - reference).cwiseAbs().maxCoeff() == 0.0f);
    // every weight was copied out of the file (vectors too), so its bytes can be released
    const long users = files[1].bytes.owner.use_count();
    files.clear();
    CHECK(users == 1);
}

TEST_CASE("F16 storage keeps a tensor beyond F16's range in F32 and says so") {
    const Config c = tiny_config();
    auto params = exact_params(c);
    params[5] = 1e6f;  // in wte
    std::vector<std::string> notes;
    const auto files = checkpoint_files(c, params);
    const Weights w = load_weights(c, files[1].bytes, "model.safetensors", &notes, stored_as(WeightStorage::F16));
    CHECK(w.wte.data != nullptr);
    CHECK(w.wte.half == nullptr);
    CHECK(w.wpe.half != nullptr);
    bool said = false;
    for (const auto& n : notes) said |= n.find("beyond F16's range") != std::string::npos;
    CHECK(said);
}

namespace {

// model.safetensors as a source read on demand; records the largest single read.
std::vector<NamedBuffer> as_source(std::vector<NamedBuffer> files, std::size_t* largest_read) {
    const SharedBytes whole = files[1].bytes;
    files[1].bytes = SharedBytes{};
    files[1].source.size = whole.bytes.size;
    files[1].source.read = [whole, largest_read](std::size_t offset, std::size_t n, std::uint8_t* out) {
        REQUIRE(offset + n <= whole.bytes.size);
        *largest_read = std::max(*largest_read, n);
        std::memcpy(out, whole.bytes.data + offset, n);
    };
    return files;
}

}  // namespace

TEST_CASE("a weights file read on demand loads like one in memory, in chunks, for every dtype and storage") {
    const Config c = tiny_config(2, 2, 64, 16);
    RandomInit init;
    init.std = 0.3f;
    const auto params = random_params(c, init);
    for (DType dt : {DType::F32, DType::F16, DType::BF16}) {
        for (WeightStorage st : {WeightStorage::F32, WeightStorage::F16, WeightStorage::Auto}) {
            BuildOptions o;
            o.dtype = dt;
            const auto files = checkpoint_files(c, params, o);
            const MatRM reference = all_logits(load_checkpoint(files, stored_as(st)), k_ids);
            std::size_t largest = 0;
            const Checkpoint ck = load_checkpoint(as_source(files, &largest), stored_as(st));
            CHECK((all_logits(ck, k_ids) - reference).cwiseAbs().maxCoeff() == 0.0f);
            CHECK(largest <= std::size_t(1) << 20);                       // never the whole 13 MB file at once
            CHECK(largest < files[1].bytes.bytes.size / 4);
        }
    }
}

TEST_CASE("a truncated weights file read on demand is refused before anything is read past its end") {
    const Config c = tiny_config();
    auto files = checkpoint_files(c, exact_params(c));
    std::size_t largest = 0;
    auto src = as_source(files, &largest);
    src[1].source.size -= 100;  // the reader's size says less than the header promises
    CHECK_THROWS_WITH_AS(load_checkpoint(src), doctest::Contains("past the end of the data block"), Error);
}

TEST_CASE("a read error from the source reaches the caller as the source's own error") {
    const Config c = tiny_config();
    std::size_t largest = 0;
    auto src = as_source(checkpoint_files(c, exact_params(c)), &largest);
    src[1].source.read = [read = src[1].source.read](std::size_t offset, std::size_t n, std::uint8_t* out) {
        if (offset > 1000) throw Error("model.safetensors: the download stopped");
        read(offset, n, out);
    };
    CHECK_THROWS_WITH_AS(load_checkpoint(src), doctest::Contains("the download stopped"), Error);
}

TEST_CASE("tensor names with the transformer. prefix load like plain ones") {
    const Config c = tiny_config();
    const auto params = exact_params(c);
    BuildOptions o;
    o.prefix = "transformer.";
    const MatRM a = all_logits(load_checkpoint(checkpoint_files(c, params)), k_ids);
    const MatRM b = all_logits(load_checkpoint(checkpoint_files(c, params, o)), k_ids);
    CHECK((a - b).cwiseAbs().maxCoeff() == 0.0f);
}

TEST_CASE("a stored lm_head is used: doubling it doubles every logit") {
    const Config c = tiny_config();
    const auto params = exact_params(c);
    std::vector<float> doubled(params.begin(), params.begin() + static_cast<long>(c.vocab_size) * c.n_embd);
    for (auto& v : doubled) v *= 2.0f;
    BuildOptions o;
    o.lm_head = &doubled;
    const Checkpoint untied = load_checkpoint(checkpoint_files(c, params, o));
    CHECK_FALSE(untied.model.weights.tied_lm_head);
    const MatRM a = all_logits(load_checkpoint(checkpoint_files(c, params)), k_ids);
    const MatRM b = all_logits(untied, k_ids);
    CHECK((b - 2.0f * a).cwiseAbs().maxCoeff() <= 1e-5f * a.cwiseAbs().maxCoeff());
}

TEST_CASE("an lm_head identical to wte stays tied") {
    const Config c = tiny_config();
    const auto params = exact_params(c);
    std::vector<float> same(params.begin(), params.begin() + static_cast<long>(c.vocab_size) * c.n_embd);
    BuildOptions o;
    o.lm_head = &same;
    CHECK(load_checkpoint(checkpoint_files(c, params, o)).model.weights.tied_lm_head);
}

TEST_CASE("legacy attn.bias and attn.masked_bias buffers are ignored silently; other extras are noted") {
    const Config c = tiny_config();
    const auto params = exact_params(c);
    BuildOptions o;
    o.extra.push_back({"h.0.attn.bias", DType::F32, {1, 1, 2, 2}, std::vector<std::uint8_t>(16, 0)});
    o.extra.push_back({"h.0.attn.masked_bias", DType::F32, {}, std::vector<std::uint8_t>(4, 0)});
    CHECK(load_checkpoint(checkpoint_files(c, params, o)).notes.empty());
    o.extra.push_back({"score.weight", DType::F32, {2}, std::vector<std::uint8_t>(8, 0)});
    const auto notes = load_checkpoint(checkpoint_files(c, params, o)).notes;
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("score.weight") != std::string::npos);
}

TEST_CASE("a missing tensor is named with the shape it should have") {
    const Config c = tiny_config();
    BuildOptions o;
    o.tamper = [](std::vector<TensorToWrite>& ts) {
        ts.erase(std::remove_if(ts.begin(), ts.end(), [](auto& t) { return t.name == "h.1.mlp.c_fc.bias"; }), ts.end());
    };
    const std::string msg = load_error(checkpoint_files(c, exact_params(c), o));
    CHECK(msg == "model.safetensors: missing tensor h.1.mlp.c_fc.bias (expected shape [32])");
}

TEST_CASE("a wrong shape names the tensor and both shapes") {
    const Config c = tiny_config();
    BuildOptions o;
    o.tamper = [](std::vector<TensorToWrite>& ts) {
        for (auto& t : ts)
            if (t.name == "h.0.attn.c_attn.weight") {
                t.shape = {8, 16};
                t.bytes.resize(8 * 16 * 4);
            }
    };
    const std::string msg = load_error(checkpoint_files(c, exact_params(c), o));
    CHECK(msg == "model.safetensors: tensor h.0.attn.c_attn.weight has shape [8,16], expected [8,24] for this config.json");
}

TEST_CASE("a weight stored as integers is refused by name") {
    const Config c = tiny_config();
    BuildOptions o;
    o.tamper = [](std::vector<TensorToWrite>& ts) {
        for (auto& t : ts)
            if (t.name == "ln_f.bias") t.dtype = DType::I32;
    };
    CHECK(load_error(checkpoint_files(c, exact_params(c), o)).find("ln_f.bias has dtype I32") != std::string::npos);
}

TEST_CASE("missing files are named") {
    const Config c = tiny_config();
    auto files = checkpoint_files(c, exact_params(c));
    CHECK(load_error({files[1], files[2], files[3]}) == "checkpoint: config.json is missing");
    CHECK(load_error({files[0], files[2], files[3]}) == "checkpoint: model.safetensors (or model.safetensors.index.json and its shards) is missing");
    CHECK(load_error({files[0], files[1], files[2]}).find("not merges.txt") != std::string::npos);
}

TEST_CASE("a tokenizer prepared from the same files is used; one from other bytes is not") {
    const Config c = tiny_config();
    const auto files = checkpoint_files(c, exact_params(c));
    const std::string text = " attention is selective, sometimes";
    const std::vector<int> gpt2 = load_tokenizer(files).encode(text);
    PreparedTokenizer same = prepare_tokenizer(files);
    const Checkpoint a = load_checkpoint(files, {}, &same);
    CHECK(same.used);
    CHECK(a.tokenizer.encode(text) == gpt2);
    // merges.txt cut to its first 2,000 merges: the same names and a different tokenizer
    auto other = files;
    for (auto& f : other)
        if (f.name == "merges.txt") {
            std::string m(reinterpret_cast<const char*>(f.bytes.bytes.data), f.bytes.bytes.size);
            std::size_t at = 0;
            for (int line = 0; line < 2001; ++line) at = m.find('\n', at) + 1;
            f.bytes = bytes_of(m.substr(0, at));
        }
    PreparedTokenizer cut = prepare_tokenizer(other);
    REQUIRE(cut.tokenizer.encode(text) != gpt2);
    const Checkpoint b = load_checkpoint(files, {}, &cut);
    CHECK_FALSE(cut.used);
    CHECK(b.tokenizer.encode(text) == gpt2);
}

TEST_CASE("a tokenizer larger than the model's vocabulary is refused") {
    const Config c = tiny_config(1, 1, 4, 8, 1000);
    CHECK(load_error(checkpoint_files(c, exact_params(c))).find("vocab_size = 1000") != std::string::npos);
}

TEST_CASE("a checkpoint larger than the declared maximum is refused before a byte of it is read") {
    const Config c = tiny_config();
    const auto files = checkpoint_files(c, exact_params(c));
    LoadOptions o;
    o.limits.max_checkpoint_bytes = files[1].bytes.bytes.size - 1;
    std::size_t largest = 0;
    CHECK_THROWS_WITH_AS(load_checkpoint(as_source(files, &largest), o),
                         doctest::Contains(("more than the limit of " + std::to_string(files[1].bytes.bytes.size - 1) + " bytes").c_str()), Error);
    CHECK(largest == 0);
    CHECK_THROWS_WITH_AS(load_checkpoint(files, o), doctest::Contains("model.safetensors is"), Error);
    o.limits.max_checkpoint_bytes = files[1].bytes.bytes.size;  // the limit itself is allowed
    CHECK_NOTHROW(load_checkpoint(files, o));
}

TEST_CASE("more tensors than the declared maximum are refused from the header alone") {
    const Config c = tiny_config(2);  // 2 layers: 2 + 12 * 2 + 2 = 28 tensors
    const auto files = checkpoint_files(c, exact_params(c));
    LoadOptions o;
    o.limits.max_tensors = 27;
    std::size_t largest = 0;
    CHECK_THROWS_WITH_AS(load_checkpoint(as_source(files, &largest), o), doctest::Contains("more than 27 tensors"), Error);
    CHECK(largest > 0);
    CHECK(largest < 4096);  // the 8-byte length and the JSON header, no tensor data
    o.limits.max_tensors = 28;
    CHECK_NOTHROW(load_checkpoint(files, o));
}

TEST_CASE("weights that would need more memory than the declared maximum are refused before allocation") {
    const Config c = tiny_config(1, 2, 8, 16);
    BuildOptions b;
    b.dtype = DType::F16;
    const auto files = checkpoint_files(c, exact_params(c), b);
    const std::uint64_t f32_bytes = static_cast<std::uint64_t>(param_count(c)) * 4;
    LoadOptions o;
    o.storage = WeightStorage::F32;  // F16 in the file, converted: 4 bytes a weight
    o.limits.max_weight_bytes = f32_bytes - 1;
    std::size_t largest = 0;
    CHECK_THROWS_WITH_AS(load_checkpoint(as_source(files, &largest), o), doctest::Contains("F16 storage halves it"), Error);
    CHECK(largest < 4096);  // refused from the header: no tensor was read
    o.limits.max_weight_bytes = f32_bytes;
    CHECK_NOTHROW(load_checkpoint(as_source(files, &largest), o));
    o.storage = WeightStorage::F16;  // matrices in 2 bytes fit under half the limit plus the vectors
    o.limits.max_weight_bytes = f32_bytes / 2 + 4096;
    CHECK_NOTHROW(load_checkpoint(as_source(files, &largest), o));
}

TEST_CASE("a tokenizer or config file over the declared maximum is refused by name") {
    const Config c = tiny_config();
    const auto files = checkpoint_files(c, exact_params(c));
    LoadOptions o;
    o.limits.max_text_file_bytes = 1000000;  // GPT-2's vocab.json is 1,042,301 bytes, merges.txt 456,318
    CHECK_THROWS_WITH_AS(load_checkpoint(files, o),
                         doctest::Contains("vocab.json is 1042301 bytes, more than the limit of 1000000 bytes"), Error);
    o.limits.max_text_file_bytes = 1042301;
    CHECK_NOTHROW(load_checkpoint(files, o));
}

}

TEST_SUITE("sharded checkpoints") {

namespace {

// A Llama checkpoint whose tensors are split over two shard files and an index, as Hugging Face writes large models;
// `edit` may change the index or the shards before they are returned.
std::vector<NamedBuffer> sharded_files(const Config& c, const std::vector<float>& params,
                                       const std::function<void(nlohmann::json&, std::vector<std::vector<TensorToWrite>>&)>& edit = {}) {
    const std::vector<TensorToWrite> all = weight_tensors(c, params.data());
    std::vector<std::vector<TensorToWrite>> shards(2);
    nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
    const std::vector<std::string> names = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
    for (std::size_t i = 0; i < all.size(); ++i) {
        const std::size_t k = i < all.size() / 2 ? 0 : 1;
        shards[k].push_back(all[i]);
        index["weight_map"][all[i].name] = names[k];
    }
    if (edit) edit(index, shards);
    std::vector<NamedBuffer> files = checkpoint_files(c, params);
    files.erase(std::remove_if(files.begin(), files.end(), [](const NamedBuffer& f) { return f.name == "model.safetensors"; }), files.end());
    files.push_back({k_shard_index, bytes_of(index.dump())});
    for (std::size_t k = 0; k < 2; ++k) files.push_back({names[k], bytes_of(write_safetensors(shards[k]))});
    return files;
}

}  // namespace

TEST_CASE("a checkpoint in two shards with an index loads as the same model as one file") {
    const Config c = family_config(Family::Llama);
    const std::vector<float> params = exact_params(c);
    const Checkpoint one = load_checkpoint(checkpoint_files(c, params));
    const Checkpoint two = load_checkpoint(sharded_files(c, params));
    ForwardOptions fo;
    fo.keep_logits = KeepLogits::All;
    CHECK(forward(two.model, spread_ids(10), fo).logits == forward(one.model, spread_ids(10), fo).logits);
}

TEST_CASE("a shard the index names but the files lack, or a shard name that reaches another folder, is refused by name") {
    const Config c = family_config(Family::Llama);
    const std::vector<float> params = exact_params(c);
    std::vector<NamedBuffer> files = sharded_files(c, params);
    files.pop_back();
    CHECK_THROWS_WITH_AS(load_checkpoint(files),
                         "model.safetensors.index.json names the shard model-00002-of-00002.safetensors, which is missing", Error);
    for (const std::string bad : {"../model-00002-of-00002.safetensors", "sub/model.safetensors", ".hidden.safetensors", "model.bin"})
        CHECK_THROWS_WITH_AS(load_checkpoint(sharded_files(c, params, [&](nlohmann::json& index, auto&) {
                                 index["weight_map"]["model.norm.weight"] = bad;
                             })),
                             ("model.safetensors.index.json: shard \"" + bad + "\" is not a .safetensors file name in the checkpoint's folder").c_str(),
                             Error);
}

TEST_CASE("a tensor the index puts in the wrong shard, or in two shards at once, is refused") {
    const Config c = family_config(Family::Llama);
    const std::vector<float> params = exact_params(c);
    CHECK_THROWS_WITH_AS(load_checkpoint(sharded_files(c, params, [](nlohmann::json& index, auto&) {
                             index["weight_map"]["model.norm.weight"] = "model-00001-of-00002.safetensors";
                         })),
                         "model.safetensors.index.json puts model.norm.weight in model-00001-of-00002.safetensors, which does not hold it", Error);
    CHECK_THROWS_WITH_AS(load_checkpoint(sharded_files(c, params, [](nlohmann::json&, std::vector<std::vector<TensorToWrite>>& shards) {
                             shards[0].push_back(shards[1].back());
                         })),
                         doctest::Contains("is in both model-00001-of-00002.safetensors and model-00002-of-00002.safetensors"), Error);
}

}
