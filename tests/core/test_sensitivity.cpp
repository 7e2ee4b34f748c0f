#include <doctest/doctest.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "analysis/sensitivity.hpp"
#include "checkpoint_builder.hpp"
#include "util/rng.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

Eigen::MatrixXd jacobian(const std::vector<float>& p, double temperature) {
    const int n = static_cast<int>(p.size());
    Eigen::VectorXd v(n);
    for (int j = 0; j < n; ++j) v(j) = p[j];
    Eigen::MatrixXd J = Eigen::MatrixXd(v.asDiagonal()) - v * v.transpose();
    return J / temperature;
}

std::vector<float> random_row(Rng& rng, int n, double spread) {
    std::vector<float> s(static_cast<std::size_t>(n)), p(static_cast<std::size_t>(n));
    for (auto& x : s) x = static_cast<float>(rng.normal() * spread);
    softmax_normaliser(1.0f).apply(s.data(), n, p.data());
    return p;
}

}  // namespace

TEST_SUITE("sensitivity") {

TEST_CASE("a two-way tie at the top reaches the bound ||J||_2 = 1/(2T)") {
    const std::vector<float> p = {0.5f, 0.5f};
    for (double T : {0.05, 1.0, 5.0}) CHECK(jacobian_spectral_norm(p.data(), 2, T) == doctest::Approx(1 / (2 * T)));
}

TEST_CASE("a uniform row of N has ||J||_2 = 1/(N T); a one-hot row has J = 0") {
    const std::vector<float> u(8, 0.125f);
    CHECK(jacobian_spectral_norm(u.data(), 8, 2.0) == doctest::Approx(1.0 / 16));
    std::vector<float> one(5, 0.0f);
    one[2] = 1.0f;
    CHECK(jacobian_spectral_norm(one.data(), 5, 1.0) == doctest::Approx(0.0));
    CHECK(jacobian_frobenius_norm(one.data(), 5, 1.0) == doctest::Approx(0.0));
}

TEST_CASE("||J||_2 equals the largest eigenvalue from Eigen's symmetric eigen solver") {
    Rng rng(3);
    double worst = 0;
    for (int trial = 0; trial < 300; ++trial) {
        const int n = 2 + static_cast<int>(rng.below(60));
        auto p = random_row(rng, n, trial % 3 == 0 ? 8.0 : 1.5);
        if (trial % 5 == 0) p[1] = p[0];  // exact ties
        if (trial % 7 == 0) p[n - 1] = 0.0f;  // zeros
        const double T = 0.05 + rng.uniform() * 3;
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(jacobian(p, T));
        const double ref = es.eigenvalues().maxCoeff();
        const double got = jacobian_spectral_norm(p.data(), n, T);
        worst = std::max(worst, std::abs(got - ref) / std::max(ref, 1e-12));
        CHECK(got == doctest::Approx(ref).epsilon(1e-9).scale(1e-12));
    }
    MESSAGE("max relative difference to the eigen solver: " << worst);
}

TEST_CASE("the Frobenius closed form equals the norm of the explicit Jacobian") {
    Rng rng(5);
    for (int trial = 0; trial < 100; ++trial) {
        const int n = 1 + static_cast<int>(rng.below(40));
        const auto p = random_row(rng, n, 2.0);
        const double T = 0.1 + rng.uniform();
        CHECK(jacobian_frobenius_norm(p.data(), n, T) == doctest::Approx(jacobian(p, T).norm()).epsilon(1e-9).scale(1e-12));
    }
}

TEST_CASE("the Jacobian (diag(p) - p p^T) / T matches finite differences of the normaliser") {
    Rng rng(8);
    const int n = 6;
    const double T = 0.7;
    std::vector<double> s(n);
    for (auto& x : s) x = rng.normal();
    auto softmax = [&](const std::vector<double>& x) {
        std::vector<double> e(n);
        double z = 0;
        for (int j = 0; j < n; ++j) z += (e[j] = std::exp(x[j] / T));
        for (auto& v : e) v /= z;
        return e;
    };
    const auto p = softmax(s);
    std::vector<float> pf(p.begin(), p.end());
    const Eigen::MatrixXd J = jacobian(pf, T);
    for (int j = 0; j < n; ++j) {
        auto up = s, down = s;
        up[j] += 1e-6;
        down[j] -= 1e-6;
        const auto pu = softmax(up), pd = softmax(down);
        for (int i = 0; i < n; ++i) CHECK((pu[i] - pd[i]) / 2e-6 == doctest::Approx(J(i, j)).epsilon(1e-4).scale(1e-9));
    }
}

TEST_CASE("the gradient norm of one weight is the norm of its Jacobian row") {
    Rng rng(11);
    for (int trial = 0; trial < 50; ++trial) {
        const int n = 2 + static_cast<int>(rng.below(30));
        const auto p = random_row(rng, n, 2.0);
        const int i = static_cast<int>(rng.below(static_cast<std::uint64_t>(n)));
        CHECK(weight_grad_norm(p.data(), n, i, 0.5) == doctest::Approx(jacobian(p, 0.5).row(i).norm()).epsilon(1e-9).scale(1e-12));
    }
}

TEST_CASE("temperatures are log-spaced from the first to the last") {
    const auto t = log_spaced(0.05, 5, 16);
    REQUIRE(t.size() == 16);
    CHECK(t.front() == doctest::Approx(0.05));
    CHECK(t.back() == doctest::Approx(5));
    CHECK(t[1] / t[0] == doctest::Approx(t[15] / t[14]));
}

TEST_CASE("the model-level check: the loss change under a small score perturbation is the gradient's prediction") {
    const Config c = tiny_config(2, 2, 16, 32, 50257);
    RandomInit init;
    init.std = 0.4f;
    init.jitter = 0.2f;
    auto params = std::make_shared<std::vector<float>>(random_params(c, init));
    const Model m{c, weights_over(c, params->data(), params)};
    std::vector<int> ids;
    for (int i = 0; i < 24; ++i) ids.push_back((i * 104729) % 50257);
    SensitivityOptions o;
    o.fd_epsilon = 1e-2;
    for (double T : {0.3, 1.0, 3.0}) {
        const auto pt = sensitivity_at(m, ids, T, o);
        INFO("T = " << T << ": measured " << pt.fd_measured << ", predicted " << pt.fd_predicted);
        CHECK(pt.fd_measured == doctest::Approx(pt.fd_predicted).epsilon(0.05));
        REQUIRE(pt.layers.size() == 2);
        for (const auto& l : pt.layers) {
            CHECK(l.spectral_max <= 1 / (2 * T) + 1e-9);
            CHECK(l.spectral.median <= l.frobenius.median + 1e-12);  // ||J||_2 <= ||J||_F
            CHECK(l.score_grad_norm > 0);
            CHECK(l.param_grad_norm > 0);
        }
    }
}

TEST_CASE("low temperature saturates rows; high temperature ties them") {
    const Config c = tiny_config(1, 2, 16, 32, 50257);
    RandomInit init;
    init.std = 0.5f;
    auto params = std::make_shared<std::vector<float>>(random_params(c, init));
    const Model m{c, weights_over(c, params->data(), params)};
    std::vector<int> ids;
    for (int i = 0; i < 16; ++i) ids.push_back((i * 31337) % 50257);
    const auto cold = sensitivity_at(m, ids, 0.001, {});
    const auto hot = sensitivity_at(m, ids, 1000.0, {});
    CHECK(cold.saturated_fraction > 0.9);
    CHECK(hot.tied_fraction == doctest::Approx(1.0));
    CHECK(hot.saturated_fraction == 0.0);
}

}
