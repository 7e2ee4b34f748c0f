#include "io/checkpoint_writer.hpp"

#include "error.hpp"
#include "model/weights.hpp"

namespace attnlab {

std::vector<TensorToWrite> weight_tensors(const Config& c, const float* p, const WeightsLayout& layout) {
    std::vector<TensorToWrite> tensors;
    for (const auto& spec : param_specs(c)) {
        if (spec.parts.empty()) {
            const auto n = static_cast<std::size_t>(spec.count());
            tensors.push_back({layout.prefix + spec.name, layout.dtype, spec.shape, encode_floats(p, n, layout.dtype)});
            p += n;
        }
        for (std::size_t k = 0; k < spec.parts.size(); ++k) {  // a stacked parameter goes back to the file's tensors
            const auto shape = spec.part_shape(k);
            const auto n = static_cast<std::size_t>(element_count(shape));
            tensors.push_back({layout.prefix + spec.parts[k].first, layout.dtype, shape, encode_floats(p, n, layout.dtype)});
            p += n;
        }
    }
    if (layout.lm_head)
        tensors.push_back({lm_head_spec(c).name, layout.dtype, {c.vocab_size, c.n_embd},
                           encode_floats(layout.lm_head->data(), layout.lm_head->size(), layout.dtype)});
    return tensors;
}

DType float_dtype(const std::string& s, const std::string& what) {
    if (s == "F32") return DType::F32;
    if (s == "F16") return DType::F16;
    if (s == "BF16") return DType::BF16;
    throw Error(what + " must be F32, F16 or BF16 (got '" + s + "')");
}

}  // namespace attnlab
