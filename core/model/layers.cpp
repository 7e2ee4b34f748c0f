#include "model/layers.hpp"

#include <cmath>

namespace attnlab {

void layernorm_forward(const RefRM& x, const Eigen::Ref<const RowVecF>& w, const Eigen::Ref<const RowVecF>& b,
                       float eps, MatRM& out, VecF& mean, VecF& rstd) {
    const Eigen::Index T = x.rows(), C = x.cols();
    out.resize(T, C);
    mean.resize(T);
    rstd.resize(T);
    for (Eigen::Index t = 0; t < T; ++t) {
        const float m = x.row(t).mean();
        const float var = (x.row(t).array() - m).square().mean();  // biased variance, as PyTorch
        const float r = 1.0f / std::sqrt(var + eps);
        out.row(t) = ((x.row(t).array() - m) * r * w.array() + b.array()).matrix();
        mean(t) = m;
        rstd(t) = r;
    }
}

void linear_forward(const RefRM& x, const RefRM& w, const Eigen::Ref<const RowVecF>& b, MatRM& out) {
    out.resize(x.rows(), w.cols());
    out.noalias() = x * w;
    out.rowwise() += b;
}

void activation_forward(Activation activation, MatRM& x) {
    auto a = x.array();
    switch (activation) {
        case Activation::GeluNew: {
            const float k = std::sqrt(2.0f / static_cast<float>(M_PI));
            a = 0.5f * a * (1.0f + (k * (a + 0.044715f * a.cube())).tanh());
            break;
        }
        case Activation::GeluExact:
            a = a.unaryExpr([](float v) { return 0.5f * v * (1.0f + std::erf(v * static_cast<float>(M_SQRT1_2))); });
            break;
        case Activation::Relu:
            a = a.max(0.0f);
            break;
    }
}

}  // namespace attnlab
