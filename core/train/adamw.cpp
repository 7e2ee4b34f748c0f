#include "train/adamw.hpp"

#include <cmath>
#include <string>

#include "error.hpp"

namespace attnlab {

AdamW::AdamW(std::size_t size, std::vector<std::uint8_t> decay, AdamWOptions options)
    : m_(size, 0.0f), v_(size, 0.0f), decay_(std::move(decay)), o_(options) {}

void AdamW::step(std::vector<float>& p, const float* g, float lr) {
    ++t_;
    const float c1 = 1.0f - std::pow(o_.beta1, static_cast<float>(t_));
    const float c2 = 1.0f - std::pow(o_.beta2, static_cast<float>(t_));
    for (std::size_t i = 0; i < p.size(); ++i) {
        m_[i] = o_.beta1 * m_[i] + (1.0f - o_.beta1) * g[i];
        v_[i] = o_.beta2 * v_[i] + (1.0f - o_.beta2) * g[i] * g[i];
        const float update = (m_[i] / c1) / (std::sqrt(v_[i] / c2) + o_.eps);
        p[i] -= lr * (update + (decay_[i] ? o_.weight_decay * p[i] : 0.0f));
    }
}

void AdamW::restore(std::vector<float> m, std::vector<float> v, int steps) {
    if (m.size() != m_.size() || v.size() != v_.size() || steps < 0)
        throw Error("AdamW state: " + std::to_string(m.size()) + " moments for " + std::to_string(m_.size()) + " parameters");
    m_ = std::move(m);
    v_ = std::move(v);
    t_ = steps;
}

float learning_rate(int step, int total, int warmup, float max_lr, float min_lr) {
    if (step < warmup) return max_lr * static_cast<float>(step + 1) / static_cast<float>(warmup);
    const int span = std::max(1, total - warmup);
    const float progress = std::min(1.0f, static_cast<float>(step - warmup) / static_cast<float>(span));
    return min_lr + 0.5f * (max_lr - min_lr) * (1.0f + std::cos(static_cast<float>(M_PI) * progress));
}

}  // namespace attnlab
