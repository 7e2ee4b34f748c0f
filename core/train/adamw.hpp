// AdamW over a flat parameter buffer, and the learning-rate schedule (linear warm-up, cosine decay).
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + lr * wd * p   (wd only where decay[i])
#pragma once
#include <cstdint>
#include <vector>

namespace attnlab {

struct AdamWOptions {
    float beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f, weight_decay = 0.1f;
};

class AdamW {
public:
    // decay[i]: whether parameter i gets weight decay (matrices yes; biases, gains no)
    AdamW(std::size_t size, std::vector<std::uint8_t> decay, AdamWOptions options);
    void step(std::vector<float>& params, const float* grads, float lr);  // grads: params.size() values
    int steps() const { return t_; }

    // The moments and step count, to continue a run later exactly where it stopped.
    const std::vector<float>& first_moment() const { return m_; }
    const std::vector<float>& second_moment() const { return v_; }
    void restore(std::vector<float> m, std::vector<float> v, int steps);  // throws Error on a size mismatch

private:
    std::vector<float> m_, v_;
    std::vector<std::uint8_t> decay_;
    AdamWOptions o_;
    int t_ = 0;
};

// lr at step s (0-based) of `total`: linear warm-up over `warmup` steps to max_lr, then cosine to min_lr.
float learning_rate(int step, int total, int warmup, float max_lr, float min_lr);

}  // namespace attnlab
