#include "model/random_init.hpp"

#include <cmath>

#include "model/weights.hpp"
#include "util/rng.hpp"

namespace attnlab {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
    const std::string x(suffix);
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

}  // namespace

std::vector<float> random_params(const Config& config, const RandomInit& init) {
    std::vector<float> params(static_cast<std::size_t>(param_count(config)));
    Rng rng(init.seed);
    float* p = params.data();
    const float residual_std = init.std / std::sqrt(2.0f * static_cast<float>(config.n_layer));
    for (const auto& spec : param_specs(config)) {
        const std::int64_t n = spec.count();
        const bool is_gain = ends_with(spec.name, "ln_1.weight") || ends_with(spec.name, "ln_2.weight") ||
                             ends_with(spec.name, "ln_f.weight");
        if (spec.name == "wpe.weight" && init.sinusoidal_positions > 0) {
            const int C = config.n_embd;
            for (int t = 0; t < config.n_positions; ++t)
                for (int j = 0; j < C; ++j) {
                    const double angle = t * static_cast<double>(init.sinusoid_top_frequency) / std::pow(10000.0, static_cast<double>(j - j % 2) / C);
                    p[static_cast<std::size_t>(t) * C + j] =
                        init.sinusoidal_positions * static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
                }
        } else if (spec.shape.size() == 2) {
            const float s = ends_with(spec.name, "c_proj.weight") ? residual_std : init.std;
            for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(rng.normal()) * s;
            if (init.mimetic_qk > 0 && ends_with(spec.name, "attn.c_attn.weight")) {
                // (C, 3C), columns [W_Q | W_K | W_V]: the same draws, rescaled, for W_Q, copied into W_K
                const std::int64_t C = config.n_embd;
                for (std::int64_t r = 0; r < C; ++r)
                    for (std::int64_t j = 0; j < C; ++j) {
                        float& q = p[r * 3 * C + j];
                        q *= init.mimetic_qk / init.std;
                        p[r * 3 * C + C + j] = q;
                    }
            }
        } else {
            for (std::int64_t i = 0; i < n; ++i)
                p[i] = (is_gain ? 1.0f : 0.0f) + (init.jitter > 0 ? static_cast<float>(rng.normal()) * init.jitter : 0.0f);
        }
        p += n;
    }
    return params;
}

}  // namespace attnlab
