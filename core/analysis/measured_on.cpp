#include "analysis/measured_on.hpp"

#include <cstdio>

#include "model/weights.hpp"

namespace attnlab {

MeasuredOn measured_on(const Config& c, const std::string& name) {
    MeasuredOn m;
    m.name = name;
    m.parameters = param_count(c);
    m.gpt2_124m = c.family == Family::Gpt2 && c.n_layer == 12 && c.n_head == 12 && c.n_embd == 768 && c.n_positions == 1024 && c.vocab_size == 50257;
    char millions[32];
    std::snprintf(millions, sizeof millions, "%.1f M", static_cast<double>(m.parameters) / 1e6);
    const std::string who = name.empty() ? "the loaded model" : name;
    if (m.gpt2_124m) {
        m.description = who + " (GPT-2 124M's shape, " + millions + " parameters)";
    } else {
        const std::string family = c.family == Family::Gpt2 ? "" : std::string(family_name(c.family)) + " ";
        m.description = who + ", a " + std::string(millions) + "-parameter " + family + "model (" + std::to_string(c.n_layer) + " layers x " +
                        std::to_string(c.n_head) + " heads x " + std::to_string(c.n_embd) + " channels), not GPT-2 124M";
    }
    return m;
}

Json measured_on_json(const MeasuredOn& m) {
    return {{"name", m.name}, {"parameters", m.parameters}, {"gpt2_124m", m.gpt2_124m}, {"description", m.description}};
}

}  // namespace attnlab
