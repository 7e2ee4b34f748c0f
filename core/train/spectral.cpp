#include "train/spectral.hpp"

#include <Eigen/SVD>
#include <string>

#include "analysis/conditioning.hpp"
#include "error.hpp"
#include "model/weights.hpp"

namespace attnlab {
namespace {

// Layer l's c_attn.weight (C x 3C, row-major) in the parameter vector, checked to be GPT-2's fused projection.
float* fused_projection(const Config& c, const float* params, int layer) {
    const Weights w = weights_over(c, params, nullptr);
    const Tensor2& a = w.layers[static_cast<std::size_t>(layer)].attn_w;
    if (a.out_in || a.rows != c.n_embd || a.cols != 3 * c.n_embd)
        throw Error("spectral conditioning: layer " + std::to_string(layer) + "'s attention projection is not GPT-2's C x 3C "
                    "c_attn.weight; only GPT-2 trains");
    return const_cast<float*>(a.data);
}

// Block b (0: Q, 1: K, 2: V) of layer l's fused projection, in double.
Eigen::MatrixXd block(const Config& c, const std::vector<float>& params, int layer, int b) {
    const int C = c.n_embd;
    const float* a = fused_projection(c, params.data(), layer);
    using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const RowMajorF, 0, Eigen::OuterStride<>> m(a + b * C, C, C, Eigen::OuterStride<>(3 * C));
    return m.cast<double>();
}

}  // namespace

std::vector<double> spectral_lambdas(const Config& c, const std::vector<float>& params, double relative) {
    if (!(relative >= 0)) throw Error("spectral conditioning: lambda must be >= 0");
    std::vector<double> lambdas;
    for (int l = 0; l < c.n_layer; ++l)
        for (int b = 0; b < 3; ++b) {
            const Eigen::BDCSVD<Eigen::MatrixXd> svd(block(c, params, l, b));
            lambdas.push_back(relative * svd.singularValues()(0));
        }
    return lambdas;
}

void add_identity(const Config& c, const std::vector<float>& params, const std::vector<double>& lambdas,
                  std::vector<float>& effective) {
    effective = params;
    if (lambdas.empty()) return;
    if (lambdas.size() != static_cast<std::size_t>(3 * c.n_layer))
        throw Error("spectral conditioning: " + std::to_string(lambdas.size()) + " lambdas for " + std::to_string(c.n_layer) +
                    " layers (3 each)");
    const int C = c.n_embd;
    for (int l = 0; l < c.n_layer; ++l) {
        float* a = fused_projection(c, effective.data(), l);
        for (int b = 0; b < 3; ++b) {
            const auto lambda = static_cast<float>(lambdas[static_cast<std::size_t>(3 * l + b)]);
            for (int r = 0; r < C; ++r) a[static_cast<std::size_t>(r) * 3 * C + b * C + r] += lambda;
        }
    }
}

std::vector<double> projection_kappas(const Config& c, const std::vector<float>& params) {
    std::vector<double> kappas;
    for (int l = 0; l < c.n_layer; ++l)
        for (int b = 0; b < 3; ++b) kappas.push_back(kappa_2(block(c, params, l, b)));
    return kappas;
}

}  // namespace attnlab
