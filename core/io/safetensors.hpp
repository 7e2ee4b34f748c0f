// Reader and writer of the safetensors format: 8 bytes little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the data block that the offsets index into.
//
// parse_safetensors checks everything before anything is used: header inside the file, valid JSON, known
// dtypes, offsets inside the data block, byte counts matching shape x dtype size, no two tensors sharing
// bytes. Tensors point into the caller's bytes (no copy); file_name only labels error messages.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tensor.hpp"

namespace attnlab {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E4M3, F8_E5M2 };

const char* dtype_name(DType dtype);
std::size_t dtype_size(DType dtype);

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    const std::uint8_t* data = nullptr;  // into the parsed bytes (null when only the header was parsed)
    std::size_t offset = 0;              // of the first byte in the file
    std::size_t nbytes = 0;

    std::int64_t element_count() const;
};

struct SafetensorsLimits {
    std::size_t max_header_bytes = 100u << 20;  // 100 MiB of JSON
    std::size_t max_tensors = 100000;
};

struct SafetensorsFile {
    std::vector<TensorEntry> tensors;             // in data order
    std::map<std::string, std::string> metadata;  // "__metadata__", string values only

    const TensorEntry* find(const std::string& name) const;
};

SafetensorsFile parse_safetensors(ByteView bytes, const std::string& file_name,
                                  const SafetensorsLimits& limits = {});

// For files read on demand: the end of the header (8 + N) from the first 8 bytes, checked against the file
// size; then the tensors from those 8 + N bytes (TensorEntry::data stays null, offsets index the file).
std::size_t safetensors_header_end(ByteView first8, std::size_t file_size, const std::string& file_name,
                                   const SafetensorsLimits& limits = {});
SafetensorsFile parse_safetensors_header(ByteView head, std::size_t file_size, const std::string& file_name,
                                         const SafetensorsLimits& limits = {}, bool head_is_whole_file = false);

// A tensor to write: raw little-endian bytes already in the given dtype.
struct TensorToWrite {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> bytes;
};

// Serialises tensors in the order given; the header is padded with spaces to a multiple of 8 bytes so
// every tensor starts 8-byte aligned when the tensors' own sizes keep it so.
std::vector<std::uint8_t> write_safetensors(const std::vector<TensorToWrite>& tensors,
                                            const std::map<std::string, std::string>& metadata = {});

// Float data converted to the storage dtype (F32, F16 or BF16).
std::vector<std::uint8_t> encode_floats(const float* values, std::size_t count, DType dtype);

// Reads any float tensor (F32, F16, BF16, F64) into floats; other dtypes throw.
void decode_floats(const TensorEntry& tensor, float* out, const std::string& file_name);
// Elements [first, first + count) of the tensor as float.
void decode_floats(const TensorEntry& tensor, std::size_t first, std::size_t count, float* out, const std::string& file_name);
// `count` elements of the tensor's dtype from raw little-endian bytes (read from anywhere) as float.
void decode_raw_floats(const TensorEntry& tensor, const std::uint8_t* raw, std::size_t count, float* out, const std::string& file_name);

// "[64,128]": a shape as error messages write it.
std::string shape_text(const std::vector<std::int64_t>& shape);

}  // namespace attnlab
