#include "train/train_state.hpp"

#include <cstring>

#include "error.hpp"
#include "io/safetensors.hpp"

namespace attnlab {
namespace {

TensorToWrite vector_tensor(const std::string& name, const std::vector<float>& values) {
    return {name, DType::F32, {static_cast<std::int64_t>(values.size())}, encode_floats(values.data(), values.size(), DType::F32)};
}

std::vector<float> read_vector(const SafetensorsFile& file, const std::string& name, const std::string& file_name) {
    const TensorEntry* t = file.find(name);
    if (!t || t->dtype != DType::F32 || t->shape.size() != 1)
        throw Error(file_name + ": no F32 vector " + name + " (not a training state written by attnlab train)");
    std::vector<float> out(static_cast<std::size_t>(t->element_count()));
    decode_floats(*t, out.data(), file_name);
    return out;
}

std::uint64_t read_number(const SafetensorsFile& file, const std::string& key, const std::string& file_name) {
    const auto it = file.metadata.find(key);
    if (it == file.metadata.end() || it->second.empty() || it->second.find_first_not_of("0123456789") != std::string::npos)
        throw Error(file_name + ": metadata " + key + " is missing or not a number");
    try {
        return std::stoull(it->second);
    } catch (const std::exception&) {
        throw Error(file_name + ": metadata " + key + " is out of range");
    }
}

}  // namespace

std::vector<std::uint8_t> encode_trainer_state(const TrainerState& s, const std::string& options) {
    return write_safetensors({vector_tensor("params", s.params), vector_tensor("adam_m", s.adam_m), vector_tensor("adam_v", s.adam_v)},
                             {{"step", std::to_string(s.step)}, {"rng", std::to_string(s.rng)}, {"options", options}});
}

SavedTrainerState decode_trainer_state(ByteView bytes, const std::string& file_name) {
    const SafetensorsFile file = parse_safetensors(bytes, file_name);
    SavedTrainerState out;
    out.state.params = read_vector(file, "params", file_name);
    out.state.adam_m = read_vector(file, "adam_m", file_name);
    out.state.adam_v = read_vector(file, "adam_v", file_name);
    if (out.state.adam_m.size() != out.state.params.size() || out.state.adam_v.size() != out.state.params.size())
        throw Error(file_name + ": params, adam_m and adam_v differ in length");
    const std::uint64_t step = read_number(file, "step", file_name);
    if (step > 100000000) throw Error(file_name + ": metadata step is out of range");
    out.state.step = static_cast<int>(step);
    out.state.rng = read_number(file, "rng", file_name);
    const auto it = file.metadata.find("options");
    if (it == file.metadata.end()) throw Error(file_name + ": metadata options is missing");
    out.options = it->second;
    return out;
}

}  // namespace attnlab
