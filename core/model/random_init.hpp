// Random GPT-2 parameters with GPT-2's own initialisation scale, for tests, benchmarks and training:
// matrices ~ N(0, std), residual projections ~ N(0, std / sqrt(2 n_layer)), layer-norm gains 1 and
// biases 0. `jitter` > 0 also perturbs gains and biases by N(0, jitter) so every parameter matters in a test.
// `sinusoidal_positions` > 0 starts wpe from the Transformer's sinusoids instead (Vaswani et al. 2017:
// wpe[t][2i] = sin(t / 10000^(2i/C)), wpe[t][2i+1] = cos(..), times that scale): positions t and t - 1 are
// then a fixed rotation apart, so a head can find the previous token from the first step.
// `sinusoid_top_frequency` scales every frequency (1: Vaswani's, whose fastest turns 1 radian per position).
// Only frequencies well above 0.3 radian tell a position from its neighbours, and a 16-dimension head can
// use 8 frequencies at most: with a top frequency near pi, about 16 such frequencies exist instead of 8.
// `mimetic_qk` > 0 is mimetic initialisation (Trockman & Kolter 2023, "Mimetic Initialization of
// Self-Attention Layers"): every layer's query matrix ~ N(0, mimetic_qk) and its key matrix starts equal to
// it, so each head's scores start as q_i . q_j, largest where a residual resembles the row's own: the token
// itself and, with sinusoidal positions, its neighbours. Heads then start local instead of nearly uniform,
// and attention near the current token, a previous-token head's, gets its gradient at any context length
// (with uniform attention a key's gradient shrinks like 1/i at position i). Values stay N(0, std).
// `offset_heads` > 0 (needs sinusoidal_positions) starts layer 0 as a causal convolution, the local
// initialisation of ConViT (d'Ascoli et al. 2021) for text: head h starts attending to the token h + 1
// places back. Its query reads the d/2 fastest sinusoid pairs of the position (d: the head size) and its key
// reads them rotated by (h + 1) steps, so on the position part of the input q_i . k_j = A^2 * sum over the
// pairs of 2 cos(w (i - j - h - 1)), largest at j = i - h - 1. A (`offset_heads`) is added to those entries
// of the usual random draws; 2 puts 0.72 to 0.82 of a head's weight on its token at the start (a doctest
// measures it at the shipped model's width). Training is then free to keep, move or drop each head. Without it, heads here
// find the previous token only after far more training than this project's machine gives (model card).
#pragma once
#include <cstdint>
#include <vector>

#include "model/config.hpp"

namespace attnlab {

struct RandomInit {
    std::uint64_t seed = 1;
    float std = 0.02f;
    float jitter = 0.0f;
    float sinusoidal_positions = 0.0f;  // 0: wpe ~ N(0, std) like every matrix
    float sinusoid_top_frequency = 1.0f;  // radians per position of the fastest sinusoid
    float mimetic_qk = 0.0f;  // 0: W_Q and W_K ~ N(0, std) independently
    float offset_heads = 0.0f;  // 0: layer 0's heads start like every layer's
};

// Every parameter in param_specs order, one contiguous buffer. Throws Error for offset_heads without
// sinusoidal_positions or with an odd head size.
std::vector<float> random_params(const Config& config, const RandomInit& init);

}  // namespace attnlab
