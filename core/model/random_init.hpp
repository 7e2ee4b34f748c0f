// Random GPT-2 parameters with GPT-2's own initialisation scale, for tests, benchmarks and training:
// matrices ~ N(0, std), residual projections ~ N(0, std / sqrt(2 n_layer)), layer-norm gains 1 and
// biases 0. `jitter` > 0 also perturbs gains and biases by N(0, jitter) so every parameter matters in a test.
#pragma once
#include <cstdint>
#include <vector>

#include "io/config.hpp"

namespace attnlab {

struct RandomInit {
    std::uint64_t seed = 1;
    float std = 0.02f;
    float jitter = 0.0f;
};

// Every parameter in param_specs order, one contiguous buffer.
std::vector<float> random_params(const Config& config, const RandomInit& init);

}  // namespace attnlab
