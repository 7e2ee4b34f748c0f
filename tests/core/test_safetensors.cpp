#include <doctest/doctest.h>

#include <cstring>

#include "error.hpp"
#include "helpers.hpp"
#include "io/safetensors.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// A safetensors file assembled by hand: 8-byte length, the header text, then the data bytes.
std::string file_with(const std::string& header, const std::string& data) {
    std::string out(8, '\0');
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(n >> (8 * i));
    return out + header + data;
}

std::string floats(std::initializer_list<float> xs) {
    std::string s;
    for (float x : xs) s.append(reinterpret_cast<const char*>(&x), 4);
    return s;
}

void check_safetensors_error(const std::string& file, const std::string& expected_part) {
    try {
        parse_safetensors(view(file), "model.safetensors");
        FAIL("no error raised");
    } catch (const Error& e) {
        const std::string msg = e.what();
        INFO(msg);
        CHECK(msg.find("model.safetensors") != std::string::npos);
        CHECK(msg.find(expected_part) != std::string::npos);
    }
}

}  // namespace

TEST_SUITE("safetensors") {

TEST_CASE("a hand-written file parses into its tensors, pointing into the bytes") {
    const std::string file = file_with(
        R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"__metadata__":{"format":"pt"}})",
        floats({1, 2, 3, 4, 5}));
    const auto st = parse_safetensors(view(file), "model.safetensors");
    REQUIRE(st.tensors.size() == 2);
    const TensorEntry* a = st.find("a");
    const TensorEntry* b = st.find("b");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->shape == std::vector<std::int64_t>{3});
    float values[3];
    decode_floats(*a, values, "x");
    CHECK(values[0] == 1.0f);
    CHECK(values[2] == 3.0f);
    float bv[2];
    decode_floats(*b, bv, "x");
    CHECK(bv[1] == 5.0f);
    CHECK(a->data >= view(file).data);
    CHECK(st.metadata.at("format") == "pt");
}

TEST_CASE("the writer's output parses back to the same tensors, with an 8-byte aligned data block") {
    const float xs[] = {0.5f, -1.25f, 3.0f, 1024.0f};
    std::vector<TensorToWrite> ts = {{"x", DType::F32, {2, 2}, encode_floats(xs, 4, DType::F32)},
                                     {"y", DType::F16, {4}, encode_floats(xs, 4, DType::F16)},
                                     {"z", DType::BF16, {1, 4}, encode_floats(xs, 4, DType::BF16)}};
    const auto bytes = write_safetensors(ts, {{"k", "v"}});
    std::uint64_t header_len = 0;
    std::memcpy(&header_len, bytes.data(), 8);
    CHECK(header_len % 8 == 0);
    const auto st = parse_safetensors({bytes.data(), bytes.size()}, "w.safetensors");
    for (const char* name : {"x", "y", "z"}) {
        float out[4];
        decode_floats(*st.find(name), out, "w");
        for (int i = 0; i < 4; ++i) CHECK(out[i] == xs[i]);  // all four are exact in F16 and BF16
    }
    CHECK(st.find("y")->dtype == DType::F16);
    CHECK(st.metadata.at("k") == "v");
}

TEST_CASE("a file shorter than the 8-byte length prefix is reported as truncated") {
    check_safetensors_error(std::string("\x10\x00\x00", 3), "too short");
}

TEST_CASE("a header length past the end of the file is reported") {
    std::string file = file_with(R"({})", "");
    file[0] = static_cast<char>(200);
    check_safetensors_error(file, "runs past the end");
}

TEST_CASE("a header length of 2^64-1 does not overflow the bounds check") {
    std::string file(16, '\xff');
    check_safetensors_error(file, "runs past the end");
}

TEST_CASE("a header that is not JSON is reported") {
    check_safetensors_error(file_with("{not json", ""), "not valid JSON");
    check_safetensors_error(file_with("[1,2]", ""), "not an object");
}

TEST_CASE("an unknown dtype is named in the error") {
    check_safetensors_error(file_with(R"({"a":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}})", floats({1})), "unknown dtype \"F99\"");
}

TEST_CASE("data offsets past the data block are reported") {
    check_safetensors_error(file_with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats({1})), "past the end of the data block");
}

TEST_CASE("offsets that run backwards are reported") {
    check_safetensors_error(file_with(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", floats({1})), "backwards");
}

TEST_CASE("two tensors sharing bytes are reported as overlapping") {
    check_safetensors_error(file_with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                          floats({1, 2, 3})),
                "overlap");
}

TEST_CASE("a byte count that does not match shape times dtype size is reported with both numbers") {
    check_safetensors_error(file_with(R"({"a":{"dtype":"F16","shape":[3],"data_offsets":[0,8]}})", floats({1, 2})), "needs 6");
}

TEST_CASE("a malformed shape or missing field is reported") {
    check_safetensors_error(file_with(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", floats({1})), "shape entry");
    check_safetensors_error(file_with(R"({"a":{"dtype":"F32","data_offsets":[0,4]}})", floats({1})), "\"shape\"");
    check_safetensors_error(file_with(R"({"a":{"dtype":"F32","shape":[1]}})", floats({1})), "data_offsets");
    check_safetensors_error(file_with(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})", floats({1})), "too large");
}

TEST_CASE("a shape entry above 2^63 - 1 is refused naming its value, not a negative number") {
    check_safetensors_error(file_with(R"({"a":{"dtype":"F32","shape":[18446744073709551611],"data_offsets":[0,4]}})", floats({1})),
                "shape entry 18446744073709551611 too large");
}

TEST_CASE("integer tensors parse but cannot be read as weights") {
    const std::string file = file_with(R"({"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0'));
    const auto st = parse_safetensors(view(file), "m");
    float out[1];
    CHECK_THROWS_AS(decode_floats(st.tensors[0], out, "m"), Error);
}

}
