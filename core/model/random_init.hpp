// Random GPT-2 parameters with GPT-2's own initialisation scale, for tests, benchmarks and training:
// matrices ~ N(0, std), residual projections ~ N(0, std / sqrt(2 n_layer)), layer-norm gains 1 and
// biases 0. `jitter` > 0 also perturbs gains and biases by N(0, jitter) so every parameter matters in a test.
// `sinusoidal_positions` > 0 starts wpe from the Transformer's sinusoids instead (Vaswani et al. 2017:
// wpe[t][2i] = sin(t / 10000^(2i/C)), wpe[t][2i+1] = cos(..), times that scale): positions t and t - 1 are
// then a fixed rotation apart, so a head can find the previous token from the first step.
#pragma once
#include <cstdint>
#include <vector>

#include "io/config.hpp"

namespace attnlab {

struct RandomInit {
    std::uint64_t seed = 1;
    float std = 0.02f;
    float jitter = 0.0f;
    float sinusoidal_positions = 0.0f;  // 0: wpe ~ N(0, std) like every matrix
};

// Every parameter in param_specs order, one contiguous buffer.
std::vector<float> random_params(const Config& config, const RandomInit& init);

}  // namespace attnlab
