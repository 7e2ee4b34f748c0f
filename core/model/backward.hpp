// GPT-2 backward pass: gradients of the mean next-token loss with respect to every parameter and to
// every head's attention scores, from the activations a forward pass kept (ForwardOptions::activations).
//   T = tokens, C = n_embd, NH = n_head, hs = head size, V = vocab_size
// Supports the softmax normaliser at any temperature: dL/ds = P * (dP - rowsum(P * dP)) / T.
#pragma once
#include <functional>
#include <vector>

#include "model/gpt2.hpp"

namespace attnlab {

struct Gradients {
    AlignedFloats params;                // dL/dθ in param_specs order; a tied lm_head's share is in wte
    MatRM lm_head;                       // (V, C) dL/d lm_head when the model's lm_head is untied, else empty
    std::vector<double> scores_norm_sq;  // per layer: sum over heads and causal (i, j) of (dL/ds_ij)^2
    double loss = 0;                     // the mean next-token loss (Trace::loss), from the softmax this pass needs
};

// Sees dL/ds (T, T, zero above the diagonal) of each head, last layer first.
using ScoreGradObserver = std::function<void(int layer, int head, const MatRM& dscores)>;

// Gradients of Trace::loss for the ids the activations were made from (needs T >= 2). Given a buffer `into` of
// param_count values, the parameter gradients are added to it and it comes back as Gradients::params: a sum
// over many short windows then costs no full-size buffer per window. Without embedding_grads the gradients of
// wte, wpe and lm_head are left at zero (a third of GPT-2 124M's backward pass): for callers that need only
// the layers' gradients and the scores'.
Gradients backward(const Model& model, const Activations& acts, const ScoreGradObserver& observer = {},
                   AlignedFloats into = {}, bool embedding_grads = true);

// ||dL/dθ|| of each layer's parameters (the "h.L." tensors), from Gradients::params.
std::vector<double> layer_param_grad_norms(const Config& config, const Gradients& grads);

}  // namespace attnlab
