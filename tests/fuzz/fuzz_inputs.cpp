#include "fuzz_inputs.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "analysis/constant_attention.hpp"
#include "analysis/selectivity_report.hpp"
#include "error.hpp"
#include "io/checkpoint.hpp"
#include "io/config_json.hpp"
#include "io/safetensors.hpp"
#include "text/bpe.hpp"

#ifndef ATTNLAB_TOKENIZER_DIR
#error "ATTNLAB_TOKENIZER_DIR must name models/gpt2-tokenizer"
#endif

namespace attnlab::fuzz {
namespace {

[[noreturn]] void broken(const std::string& what) {
    std::fprintf(stderr, "attnlab fuzz: invariant broken: %s\n", what.c_str());
    std::abort();
}

// The input cut at its first `parts - 1` NUL bytes (missing parts are empty).
std::vector<std::string> split_parts(const std::uint8_t* data, std::size_t size, std::size_t parts) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (out.size() + 1 < parts) {
        const void* nul = start < size ? std::memchr(data + start, 0, size - start) : nullptr;
        if (!nul) break;
        const std::size_t end = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - data);
        out.emplace_back(reinterpret_cast<const char*>(data + start), end - start);
        start = end + 1;
    }
    out.emplace_back(reinterpret_cast<const char*>(data) + std::min(start, size), size - std::min(start, size));
    out.resize(parts);
    return out;
}

ByteView view_of(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// Encoding gives ids in the vocabulary; decoding them gives the text back, byte for byte, for any text a lossless
// tokenizer (Tokenizer::round_trips) accepts.
void encode_round_trip(const Tokenizer& t, const std::string& text) {
    const std::vector<int> ids = t.encode(text);
    for (int id : ids)
        if (id < 0 || id >= t.vocab_size()) broken("encode gave id " + std::to_string(id) + " outside the vocabulary");
    // a normalizer, a prefix space or characters with no token change the text on purpose
    if (t.round_trips() && t.decode(ids) != text) broken("decode(encode(text)) differs from the text");
}

// The tiny config every safetensors input is loaded against (seeds: attnlab make-random with these flags).
Config fuzz_config() {
    Config c;
    c.n_layer = 1;
    c.n_head = 2;
    c.n_embd = 4;
    c.n_positions = 4;
    c.vocab_size = 8;
    return c;
}

void safetensors_target(const std::uint8_t* data, std::size_t size) {
    // A private copy, so that views into it are as aligned as a loaded file's bytes.
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(data, data + size);
    const SharedBytes shared{ByteView{bytes->data(), bytes->size()}, bytes};
    // The reader itself: every float tensor decodes (small ones only: the fuzzer is after the parser).
    const SafetensorsFile file = parse_safetensors(shared.bytes, "model.safetensors");
    std::vector<float> out;
    for (const auto& t : file.tensors) {
        const DType d = t.dtype;
        if ((d != DType::F32 && d != DType::F16 && d != DType::BF16 && d != DType::F64) || t.element_count() > (1 << 16)) continue;
        out.resize(static_cast<std::size_t>(t.element_count()));
        decode_floats(t, out.data(), "model.safetensors");
    }
    // As weights, in memory and read on demand, in every storage.
    const Config c = fuzz_config();
    const ByteSource source{size, [&](std::size_t offset, std::size_t n, std::uint8_t* to) {
                                if (offset > size || n > size - offset) broken("read past the end of the file");
                                std::memcpy(to, bytes->data() + offset, n);
                            }};
    for (WeightStorage storage : {WeightStorage::F32, WeightStorage::F16, WeightStorage::Auto}) {
        LoadOptions o;
        o.storage = storage;
        std::vector<std::string> notes;
        const Weights a = load_weights(c, shared, "model.safetensors", &notes, o);
        const Weights b = load_weights(c, source, "model.safetensors", &notes, o);
        // both paths hold the same numbers, bit for bit (NaN included: a file may hold any bits)
        MatRM sa, sb;
        const MapRM wa = a.wte.f32(sa), wb = b.wte.f32(sb);
        if (std::memcmp(wa.data(), wb.data(), sizeof(float) * static_cast<std::size_t>(wa.size())) != 0)
            broken("weights read on demand differ from weights read in memory");
    }
}

void config_target(const std::uint8_t* data, std::size_t size) {
    const Config c = parse_config(std::string(reinterpret_cast<const char*>(data), size), "config.json");
    c.validate("config.json");  // what parse_config accepts is a valid config
}

void bpe_target(const std::uint8_t* data, std::size_t size) {
    const auto parts = split_parts(data, size, 3);
    const Tokenizer t = Tokenizer::from_vocab_merges(view_of(parts[0]), view_of(parts[1]));
    encode_round_trip(t, parts[2]);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) broken("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void bpe_text_target(const std::uint8_t* data, std::size_t size) {
    static const Tokenizer gpt2 = [] {
        const std::string dir = ATTNLAB_TOKENIZER_DIR;
        const std::string vocab = read_file(dir + "/vocab.json"), merges = read_file(dir + "/merges.txt");
        return Tokenizer::from_vocab_merges(view_of(vocab), view_of(merges));
    }();
    encode_round_trip(gpt2, std::string(reinterpret_cast<const char*>(data), size));
}

void tokenizer_json_target(const std::uint8_t* data, std::size_t size) {
    const auto parts = split_parts(data, size, 2);
    const Tokenizer t = Tokenizer::from_tokenizer_json(view_of(parts[0]));
    encode_round_trip(t, parts[1]);
}

// 5 bytes choosing the tokens (the first: how many, 2..4; then one id each), then model.safetensors for
// fuzz_config(): the selectivity report (binned, with a detail head) and constant attention over the tokens. Any
// bits may reach the forward pass (NaN, infinities, values that overflow): every report either holds or the
// analysis refuses with attnlab::Error.
void analyses_target(const std::uint8_t* data, std::size_t size) {
    if (size < 5) throw Error("analyses: the input is shorter than its 5 token bytes");
    const Config c = fuzz_config();
    std::vector<int> ids;
    for (int i = 0; i < 2 + data[0] % 3; ++i) ids.push_back(data[1 + i] % c.vocab_size);
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(data + 5, data + size);
    const Model m{c, load_weights(c, SharedBytes{ByteView{bytes->data(), bytes->size()}, bytes}, "model.safetensors")};
    SelectivityRequest r;
    r.bins = 2;
    r.heads = {{0, 1}};
    const Json sel = selectivity_report(m, ids, r);
    const ConstantAttention avg = average_attention(m, ids, c.n_positions, 4);
    const Json con = constant_attention_report(m, avg, ids, ConstantRequest{});
    // a report that holds is a true one: normalised entropies in [0, 1], a loss of at least 0 (or null: undefined).
    // The entropy is of the float32 weights as the model gives them, whose sum is 1 only to float32 rounding: a
    // uniform row of 3 (0.33333334 each) has 1 + 1.3e-9 (tests/fuzz/regressions/analyses/entropy-outside-unit-interval)
    for (const auto& layer : sel.at("head_map"))
        for (const auto& v : layer)
            if (!v.is_null() && !(v.get<double>() >= -1e-6 && v.get<double>() <= 1 + 1e-6)) broken("a normalised entropy outside [0, 1]");
    const Json& loss = con.at("baseline").at("loss");
    if (!loss.is_null() && !(loss.get<double>() >= 0)) broken("a negative loss");
}

}  // namespace

const std::vector<std::string>& target_names() {
    static const std::vector<std::string> names = {"safetensors", "config", "bpe", "bpe_text", "tokenizer_json", "analyses"};
    return names;
}

bool run_target(const std::string& target, const std::uint8_t* data, std::size_t size) {
    try {
        if (target == "safetensors") safetensors_target(data, size);
        else if (target == "config") config_target(data, size);
        else if (target == "bpe") bpe_target(data, size);
        else if (target == "bpe_text") bpe_text_target(data, size);
        else if (target == "tokenizer_json") tokenizer_json_target(data, size);
        else if (target == "analyses") analyses_target(data, size);
        else broken("unknown fuzz target " + target);
        return true;
    } catch (const Error&) {
        return false;
    }
}

}  // namespace attnlab::fuzz
