#include "model/random_init.hpp"

#include <cmath>

#include "error.hpp"
#include "model/weights.hpp"
#include "util/rng.hpp"

namespace attnlab {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
    const std::string x(suffix);
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// The angle that sinusoid pair `pair` of wpe (dims 2 pair: sin, 2 pair + 1: cos) turns through over `steps`
// positions: steps * top frequency / 10000^(2 pair / C).
double sinusoid_angle(const RandomInit& init, int C, int pair, int steps) {
    return steps * static_cast<double>(init.sinusoid_top_frequency) / std::pow(10000.0, 2.0 * pair / C);
}

// Adds RandomInit::offset_heads to layer 0's c_attn weight `w` (C, 3C: columns [W_Q | W_K | W_V]): head h's
// query takes sinusoid pair m (input dims 2m: sin, 2m + 1: cos) as is, its key takes it rotated forward by
// (h + 1) * w_m, so q . k compares position i with position j + h + 1.
void add_offset_heads(float* w, const Config& config, const RandomInit& init) {
    const int C = config.n_embd, d = C / config.n_head;
    for (int h = 0; h < config.n_head; ++h)
        for (int m = 0; m < d / 2; ++m) {
            const double phi = sinusoid_angle(init, C, m, h + 1);
            const float a = init.offset_heads, c = a * static_cast<float>(std::cos(phi)), s = a * static_cast<float>(std::sin(phi));
            const int out = h * d + 2 * m;
            auto at = [&](int row, int col) -> float& { return w[static_cast<std::size_t>(row) * 3 * C + col]; };
            at(2 * m, out) += a;              // q_sin = sin(w i)
            at(2 * m + 1, out + 1) += a;      // q_cos = cos(w i)
            at(2 * m, C + out) += c;          // k_sin = sin(w (j + h + 1)) = sin(w j) cos(phi) + cos(w j) sin(phi)
            at(2 * m + 1, C + out) += s;
            at(2 * m, C + out + 1) -= s;      // k_cos = cos(w (j + h + 1)) = cos(w j) cos(phi) - sin(w j) sin(phi)
            at(2 * m + 1, C + out + 1) += c;
        }
}

}  // namespace

std::vector<float> random_params(const Config& config, const RandomInit& init) {
    if (config.family != Family::Gpt2 && (init.sinusoidal_positions > 0 || init.mimetic_qk > 0 || init.offset_heads > 0))
        throw Error("sinusoidal positions, mimetic and offset heads initialise GPT-2 models only");
    if (init.offset_heads > 0 && !(init.sinusoidal_positions > 0))
        throw Error("offset heads read the sinusoids of the position embedding: set sinusoidal positions too");
    if (init.offset_heads > 0 && (config.n_embd / config.n_head) % 2 != 0)
        throw Error("offset heads need an even head size (sinusoid pairs), got " + std::to_string(config.n_embd / config.n_head));
    std::vector<float> params(static_cast<std::size_t>(param_count(config)));
    Rng rng(init.seed);
    float* p = params.data();
    const float residual_std = init.std / std::sqrt(2.0f * static_cast<float>(config.n_layer));
    for (const auto& spec : param_specs(config)) {
        const std::int64_t n = spec.count();
        const bool is_gain = spec.role == ParamRole::Gain;
        if (spec.name == "wpe.weight" && init.sinusoidal_positions > 0) {
            const int C = config.n_embd;
            for (int t = 0; t < config.n_positions; ++t)
                for (int j = 0; j < C; ++j) {
                    const double angle = sinusoid_angle(init, C, j / 2, t);
                    p[static_cast<std::size_t>(t) * C + j] =
                        init.sinusoidal_positions * static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
                }
        } else if (spec.shape.size() == 2) {
            const float s = spec.role == ParamRole::ResidualMatrix ? residual_std : init.std;
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
            if (init.offset_heads > 0 && spec.name == "h.0.attn.c_attn.weight") add_offset_heads(p, config, init);
        } else {
            for (std::int64_t i = 0; i < n; ++i)
                p[i] = (is_gain ? 1.0f : 0.0f) + (init.jitter > 0 ? static_cast<float>(rng.normal()) * init.jitter : 0.0f);
        }
        p += n;
    }
    return params;
}

}  // namespace attnlab
