#include "io/safetensors.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "error.hpp"
#include "util/float16.hpp"

namespace attnlab {

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

namespace {

struct DTypeInfo {
    DType dtype;
    const char* name;
    std::size_t size;
};

const DTypeInfo k_dtypes[] = {
    {DType::F64, "F64", 8},   {DType::F32, "F32", 4},         {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8},         {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},   {DType::I8, "I8", 1},           {DType::U64, "U64", 8},
    {DType::U32, "U32", 4},   {DType::U16, "U16", 2},         {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1}, {DType::F8_E4M3, "F8_E4M3", 1}, {DType::F8_E5M2, "F8_E5M2", 1},
};

const DTypeInfo& info(DType dtype) {
    for (const auto& d : k_dtypes)
        if (d.dtype == dtype) return d;
    throw Error("internal: unknown dtype enum");
}

// data: the data block (its pointer null when the file is read on demand); data_offset: where it starts.
TensorEntry parse_entry(const std::string& name, const nlohmann::json& spec, ByteView data, std::size_t data_offset,
                        const std::string& where) {
    const std::string prefix = where + ": tensor " + name;
    if (!spec.is_object()) throw Error(prefix + " is not a JSON object in the header");
    TensorEntry t;
    t.name = name;

    auto dtype_it = spec.find("dtype");
    if (dtype_it == spec.end() || !dtype_it->is_string()) throw Error(prefix + " has no \"dtype\" string");
    const std::string dtype = dtype_it->get<std::string>();
    const DTypeInfo* found = nullptr;
    for (const auto& d : k_dtypes)
        if (dtype == d.name) found = &d;
    if (!found) throw Error(prefix + " has unknown dtype \"" + dtype + "\"");
    t.dtype = found->dtype;

    auto shape_it = spec.find("shape");
    if (shape_it == spec.end() || !shape_it->is_array()) throw Error(prefix + " has no \"shape\" array");
    std::uint64_t count = 1;
    for (const auto& dim : *shape_it) {
        if (!dim.is_number_unsigned())
            throw Error(prefix + " has a shape entry that is not a non-negative integer");
        const auto d = dim.get<std::uint64_t>();
        if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))  // kept as int64 below
            throw Error(prefix + " has a shape entry " + std::to_string(d) + " too large to address");
        if (d != 0 && count > std::numeric_limits<std::uint64_t>::max() / 16 / d)
            throw Error(prefix + " has a shape too large to address");
        count *= d;
        t.shape.push_back(static_cast<std::int64_t>(d));
    }

    auto offsets_it = spec.find("data_offsets");
    if (offsets_it == spec.end() || !offsets_it->is_array() || offsets_it->size() != 2 ||
        !(*offsets_it)[0].is_number_unsigned() || !(*offsets_it)[1].is_number_unsigned())
        throw Error(prefix + " has no \"data_offsets\" pair of non-negative integers");
    const auto begin = (*offsets_it)[0].get<std::uint64_t>();
    const auto end = (*offsets_it)[1].get<std::uint64_t>();
    if (begin > end) throw Error(prefix + " has data_offsets [" + std::to_string(begin) + "," +
                                 std::to_string(end) + "] that run backwards");
    if (end > data.size)
        throw Error(prefix + " has data_offsets [" + std::to_string(begin) + "," + std::to_string(end) +
                    "] past the end of the data block (" + std::to_string(data.size) +
                    " bytes): the file is truncated or corrupt");
    const std::uint64_t expected = count * found->size;
    if (end - begin != expected)
        throw Error(prefix + " has " + std::to_string(end - begin) + " bytes of data but shape " +
                    shape_text(t.shape) + " of " + dtype + " needs " + std::to_string(expected));
    t.data = data.data ? data.data + begin : nullptr;
    t.offset = data_offset + static_cast<std::size_t>(begin);
    t.nbytes = static_cast<std::size_t>(end - begin);
    return t;
}

}  // namespace

const char* dtype_name(DType dtype) { return info(dtype).name; }
std::size_t dtype_size(DType dtype) { return info(dtype).size; }

std::int64_t TensorEntry::element_count() const { return attnlab::element_count(shape); }

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

std::size_t safetensors_header_end(ByteView first8, std::size_t file_size, const std::string& file_name,
                                   const SafetensorsLimits& limits) {
    if (file_size < 8 || first8.size < 8)
        throw Error(file_name + ": file is " + std::to_string(file_size) +
                    " bytes, too short for a safetensors header (truncated download?)");
    std::uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | first8.data[i];
    if (header_len > file_size - 8)
        throw Error(file_name + ": header length " + std::to_string(header_len) + " runs past the end of the " +
                    std::to_string(file_size) + "-byte file (truncated, or not a safetensors file)");
    if (header_len > limits.max_header_bytes)
        throw Error(file_name + ": header of " + std::to_string(header_len) + " bytes exceeds the limit of " +
                    std::to_string(limits.max_header_bytes));
    return 8 + static_cast<std::size_t>(header_len);
}

SafetensorsFile parse_safetensors(ByteView bytes, const std::string& file_name, const SafetensorsLimits& limits) {
    return parse_safetensors_header(bytes, bytes.size, file_name, limits, true);
}

SafetensorsFile parse_safetensors_header(ByteView head, std::size_t file_size, const std::string& file_name,
                                         const SafetensorsLimits& limits, bool head_is_whole_file) {
    const ByteView bytes = head;
    const std::size_t header_len = safetensors_header_end(head, file_size, file_name, limits) - 8;
    if (head.size < 8 + header_len) throw Error(file_name + ": the header was not read whole");

    nlohmann::json header;
    const char* text = reinterpret_cast<const char*>(bytes.data + 8);
    try {
        header = nlohmann::json::parse(text, text + header_len);
    } catch (const nlohmann::json::exception& e) {
        throw Error(file_name + ": header is not valid JSON (" + std::string(e.what()) +
                    "); is this really a .safetensors file?");
    }
    if (!header.is_object()) throw Error(file_name + ": header is JSON but not an object");

    const ByteView data{head_is_whole_file ? bytes.data + 8 + header_len : nullptr, file_size - 8 - header_len};
    SafetensorsFile file;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (!it->is_object()) throw Error(file_name + ": __metadata__ is not an object");
            for (auto m = it->begin(); m != it->end(); ++m)
                if (m->is_string()) file.metadata[m.key()] = m->get<std::string>();
            continue;
        }
        if (file.tensors.size() >= limits.max_tensors)
            throw Error(file_name + ": more than " + std::to_string(limits.max_tensors) + " tensors");
        file.tensors.push_back(parse_entry(it.key(), it.value(), data, 8 + header_len, file_name));
    }

    std::sort(file.tensors.begin(), file.tensors.end(),
              [](const TensorEntry& a, const TensorEntry& b) { return a.offset < b.offset; });
    for (std::size_t i = 1; i < file.tensors.size(); ++i) {
        const auto& prev = file.tensors[i - 1];
        const auto& cur = file.tensors[i];
        if (cur.nbytes > 0 && prev.nbytes > 0 && cur.offset < prev.offset + prev.nbytes)
            throw Error(file_name + ": tensors " + prev.name + " and " + cur.name + " overlap in the data block");
    }
    return file;
}

std::vector<std::uint8_t> write_safetensors(const std::vector<TensorToWrite>& tensors,
                                            const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const auto& t : tensors) {
        const auto count = static_cast<std::uint64_t>(element_count(t.shape));
        if (count * dtype_size(t.dtype) != t.bytes.size())
            throw Error("write_safetensors: tensor " + t.name + " has " + std::to_string(t.bytes.size()) +
                        " bytes but shape " + shape_text(t.shape) + " of " + dtype_name(t.dtype) + " needs " +
                        std::to_string(count * dtype_size(t.dtype)));
        header[t.name] = {{"dtype", dtype_name(t.dtype)},
                          {"shape", t.shape},
                          {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::vector<std::uint8_t> out(8 + text.size() + offset);
    std::uint64_t n = text.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(n >> (8 * i));
    std::memcpy(out.data() + 8, text.data(), text.size());
    std::size_t pos = 8 + text.size();
    for (const auto& t : tensors) {
        if (!t.bytes.empty()) std::memcpy(out.data() + pos, t.bytes.data(), t.bytes.size());
        pos += t.bytes.size();
    }
    return out;
}

std::vector<std::uint8_t> encode_floats(const float* values, std::size_t count, DType dtype) {
    std::vector<std::uint8_t> out(count * dtype_size(dtype));
    switch (dtype) {
        case DType::F32:
            if (count) std::memcpy(out.data(), values, count * 4);
            break;
        case DType::F16:
        case DType::BF16:
            for (std::size_t i = 0; i < count; ++i) {
                const std::uint16_t h = dtype == DType::F16 ? float_to_f16(values[i]) : float_to_bf16(values[i]);
                out[2 * i] = static_cast<std::uint8_t>(h);
                out[2 * i + 1] = static_cast<std::uint8_t>(h >> 8);
            }
            break;
        default:
            throw Error(std::string("encode_floats: cannot store floats as ") + dtype_name(dtype));
    }
    return out;
}

void decode_floats(const TensorEntry& t, float* out, const std::string& file_name) {
    decode_floats(t, 0, static_cast<std::size_t>(t.element_count()), out, file_name);
}

void decode_floats(const TensorEntry& t, std::size_t first, std::size_t n, float* out, const std::string& file_name) {
    decode_raw_floats(t, t.data + first * dtype_size(t.dtype), n, out, file_name);
}

void decode_raw_floats(const TensorEntry& t, const std::uint8_t* p, std::size_t n, float* out, const std::string& file_name) {
    switch (t.dtype) {
        case DType::F32:
            if (n) std::memcpy(out, p, n * 4);
            break;
        case DType::F64:
            for (std::size_t i = 0; i < n; ++i) {
                double d;
                std::memcpy(&d, p + 8 * i, 8);
                out[i] = static_cast<float>(d);
            }
            break;
        case DType::F16: {
            // in blocks through an aligned buffer of halves (the file's bytes need not be aligned), converted by the
            // vectorisable f16_to_float_n: a fifth of the shipped model's load time went to one half at a time
            std::uint16_t halves[4096];
            for (std::size_t i = 0; i < n; i += 4096) {
                const std::size_t m = std::min<std::size_t>(4096, n - i);
                for (std::size_t k = 0; k < m; ++k)
                    halves[k] = static_cast<std::uint16_t>(p[2 * (i + k)] | (p[2 * (i + k) + 1] << 8));
                f16_to_float_n(halves, m, out + i);
            }
            break;
        }
        case DType::BF16:
            for (std::size_t i = 0; i < n; ++i) out[i] = bf16_to_float(static_cast<std::uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
            break;
        default:
            throw Error(file_name + ": tensor " + t.name + " has dtype " + dtype_name(t.dtype) +
                        "; weights must be F32, F16, BF16 or F64");
    }
}

}  // namespace attnlab
