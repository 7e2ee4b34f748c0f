#include <doctest/doctest.h>

#include <cmath>

#include "analysis/measured_on.hpp"
#include "analysis/paper.hpp"
#include "analysis/paper_measures.hpp"
#include "analysis/sensitivity.hpp"
#include "checkpoint_builder.hpp"
#include "error.hpp"
#include "util/rng.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// Four value vectors at the compass points and weights 0.7, 0.1, 0.1, 0.1 (W = sum alpha_j ||x_j|| = 1).
//   top-1 {0}: s = (0.7, 0), the rest sums to (-0.1, 0): d~ = 0.8
//   top-2 {0, 1} (the three-way tie broken by position): s = (0.7, 0.1), rest (-0.1, -0.1): d~ = sqrt(0.68)
//   top-3 {0, 1, 2}: s = (0.6, 0.1), rest (0, -0.1): d~ = sqrt(0.40)
// The weighted points y_j = alpha_j x_j are (0.7, 0), (0, 0.1), (-0.1, 0), (0, -0.1). Their distances to s:
//   top-2: y0 0.1, y1 0.7; the unselected y2 sqrt(0.65), y3 sqrt(0.53): both selected are nearer (share 1)
//   top-3: y0 sqrt(0.02), y1 0.6, y2 sqrt(0.50); the one unselected y3 sqrt(0.40): y2 is farther, share 2/3
struct Compass {
    MatRM values = (MatRM(4, 2) << 1, 0, 0, 1, -1, 0, 0, -1).finished();
    std::vector<float> p = {0.7f, 0.1f, 0.1f, 0.1f};
    SelectionSweep sweep(std::vector<int> top_ns, double delta = 0) const {
        return selection_sweep(p.data(), values, 4, top_ns, delta);
    }
};

// p = softmax(s / T) in double, for finite differences.
double softmax_at(const std::vector<double>& s, int i, double T) {
    const double m = *std::max_element(s.begin(), s.end());
    double z = 0;
    for (double v : s) z += std::exp((v - m) / T);
    return std::exp((s[static_cast<std::size_t>(i)] - m) / T) / z;
}

std::vector<float> softmax_row(const std::vector<float>& s, double T) {
    std::vector<float> p(s.size());
    softmax_normaliser(static_cast<float>(T)).apply(s.data(), static_cast<int>(s.size()), p.data());
    return p;
}

}  // namespace

TEST_SUITE("paper") {

TEST_CASE("d~ is the distance between the unselected and the selected tokens' weighted sums, worked by hand") {
    const SelectionSweep r = Compass().sweep({1, 2, 3, 4});
    CHECK(r.scale == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(r.distance[0] == doctest::Approx(0.8).epsilon(1e-6));
    CHECK(r.distance[1] == doctest::Approx(std::sqrt(0.68)).epsilon(1e-6));
    CHECK(r.distance[2] == doctest::Approx(std::sqrt(0.40)).epsilon(1e-6));
    CHECK(std::isnan(r.distance[3]));  // a top set as large as the row leaves no unselected token
}

TEST_CASE("a selected token is distinguishable when its weighted point lies nearer to s than every unselected one, worked by hand") {
    const SelectionSweep r = Compass().sweep({1, 2, 3, 4});
    CHECK(r.distinguishable[0] == 1.0);
    CHECK(r.distinguishable[1] == 1.0);
    CHECK(r.distinguishable[2] == doctest::Approx(2.0 / 3.0));
    CHECK(std::isnan(r.distinguishable[3]));
}

TEST_CASE("the top token's weighted point is s itself, so it is distinguishable even where its value vector is not nearest") {
    // alpha = (0.4, 0.3, 0.3): s = 0.4 x0 = (0.4, 0). The value vector x1 = (0.3, 0) lies nearer to s than x0 does,
    // but the weighted points are y0 = (0.4, 0) = s and y1 = (0.09, 0), y2 = (0, 0.09).
    const MatRM x = (MatRM(3, 2) << 1, 0, 0.3, 0, 0, 0.3).finished();
    const std::vector<float> p = {0.4f, 0.3f, 0.3f};
    CHECK(selection_sweep(p.data(), x, 3, {1}, 0).distinguishable[0] == 1.0);
}

// attnlab's calibration of its separability rule (not the paper's setting, which no source gives): unit-norm token
// vectors drawn uniformly on the sphere, n = 128 tokens in d = 64, softmax weights of q . x_j / T, 200 draws.
double spherical_share(int top, double temperature) {
    Rng rng(2024);
    const int n = 128, d = 64, trials = 200;
    double sum = 0;
    for (int t = 0; t < trials; ++t) {
        MatRM x(n, d);
        for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.normal());
        for (int j = 0; j < n; ++j) x.row(j).normalize();
        Eigen::RowVectorXf q(d);
        for (int i = 0; i < d; ++i) q(i) = static_cast<float>(rng.normal());
        q.normalize();
        std::vector<float> l(static_cast<std::size_t>(n));
        for (int j = 0; j < n; ++j) l[static_cast<std::size_t>(j)] = x.row(j).dot(q);
        const std::vector<float> p = softmax_row(l, temperature);
        sum += selection_sweep(p.data(), x, n, {top}, 0).distinguishable[0];
    }
    return sum / trials;
}

TEST_CASE("attnlab's calibration on uniform spherical embeddings: the share distinguishable falls with N, as docs/science.md quotes") {
    // the figures docs/science.md and the separability verdict quote (two decimals)
    const std::vector<std::pair<double, std::vector<double>>> quoted = {{0.3, {0.90, 0.76, 0.63}}, {1.0, {0.90, 0.73, 0.57}}};
    for (const auto& [temperature, shares] : quoted) {
        double previous = 1.0;
        for (std::size_t i = 0; i < 3; ++i) {
            const int top = 8 << i;
            const double share = spherical_share(top, temperature);
            MESSAGE("T = " << temperature << ", N = " << top << ": mean share " << share);
            CHECK(std::abs(share - shares[i]) <= 0.006);
            CHECK(share < previous);
            previous = share;
        }
    }
}

TEST_CASE("the critical N is the first N whose d~ falls to delta W, and 0 when none does") {
    CHECK(Compass().sweep({1}, 0.7).critical_n == 3);   // d~: 0.8, 0.825, 0.632
    CHECK(Compass().sweep({1}, 0.81).critical_n == 1);
    CHECK(Compass().sweep({1}, 0.5).critical_n == 0);
}

TEST_CASE("d~ and the distinguishable share match a direct recomputation on random rows") {
    Rng rng(5);
    for (int n : {2, 7, 33}) {
        MatRM x(n, 6);
        for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.normal());
        std::vector<float> s(static_cast<std::size_t>(n));
        for (auto& v : s) v = static_cast<float>(2 * rng.normal());
        const std::vector<float> p = softmax_row(s, 1.0);
        std::vector<int> ns;
        for (int k = 1; k < n; k += 3) ns.push_back(k);
        const SelectionSweep r = selection_sweep(p.data(), x, n, ns, 0.0);
        for (std::size_t a = 0; a < ns.size(); ++a) {
            const int k = ns[a];
            // the top-k set, chosen by repeated arg-max (a different route from the sweep's sort)
            std::vector<bool> in(static_cast<std::size_t>(n), false);
            for (int c = 0; c < k; ++c) {
                int best = -1;
                for (int j = 0; j < n; ++j)
                    if (!in[static_cast<std::size_t>(j)] && (best < 0 || p[static_cast<std::size_t>(j)] > p[static_cast<std::size_t>(best)])) best = j;
                in[static_cast<std::size_t>(best)] = true;
            }
            Eigen::RowVectorXd sel = Eigen::RowVectorXd::Zero(6), rest = sel;
            for (int j = 0; j < n; ++j) (in[static_cast<std::size_t>(j)] ? sel : rest) += double(p[static_cast<std::size_t>(j)]) * x.row(j).cast<double>();
            CHECK(r.distance[a] == doctest::Approx((rest - sel).norm()).epsilon(1e-9));
            int told = 0;
            for (int i = 0; i < n; ++i) {
                if (!in[static_cast<std::size_t>(i)]) continue;
                bool nearer = true;
                const auto y = [&](int j) { return Eigen::RowVectorXd(double(p[static_cast<std::size_t>(j)]) * x.row(j).cast<double>()); };
                for (int j = 0; j < n; ++j)
                    if (!in[static_cast<std::size_t>(j)] && (y(j) - sel).norm() <= (y(i) - sel).norm()) nearer = false;
                told += nearer;
            }
            CHECK(r.distinguishable[a] == doctest::Approx(static_cast<double>(told) / k));
        }
    }
}

TEST_CASE("the lemma's diagonal entry d alpha_i / d l_i equals central finite differences of softmax(l / T)") {
    Rng rng(17);
    for (double T : {0.05, 0.5, 2.0}) {
        std::vector<float> s(9);
        for (auto& v : s) v = static_cast<float>(0.3 * rng.normal());
        const std::vector<double> x(s.begin(), s.end());
        double best = 0;
        for (int i = 0; i < 9; ++i) {
            auto up = x, down = x;
            up[static_cast<std::size_t>(i)] += 1e-7;
            down[static_cast<std::size_t>(i)] -= 1e-7;
            best = std::max(best, (softmax_at(up, i, T) - softmax_at(down, i, T)) / 2e-7);
        }
        CHECK(lemma_diagonal_max(softmax_row(s, T).data(), 9, T) == doctest::Approx(best).epsilon(1e-4));
    }
}

TEST_CASE("the lemma's bound holds on adversarial rows at T from 0.01 to 10, and is reached at a two-way tie") {
    Rng rng(3);
    std::vector<std::vector<float>> rows = {
        {9.f, 0.f, 0.f, 0.f},                  // one-hot
        {1.f, 1.f, -3.f, -3.f, -3.f},          // two-way tie
        {2.f, 2.f, 2.f, 0.f, 0.f, 0.f, 0.f},   // three-way tie
        {0.5f, 0.5f, 0.5f, 0.5f, 0.5f},        // five-way tie = uniform
        std::vector<float>(200, 0.25f),        // uniform, long
        {0.f, 1e-3f},                          // near-tie of two
    };
    for (int r = 0; r < 60; ++r) {
        std::vector<float> row(static_cast<std::size_t>(2 + r % 40));
        for (auto& v : row) v = static_cast<float>((0.1 + r % 7) * rng.normal());
        rows.push_back(row);
    }
    for (double T : {0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0}) {
        for (const auto& s : rows) {
            const std::vector<float> p = softmax_row(s, T);
            const int n = static_cast<int>(p.size());
            CHECK(lemma_diagonal_max(p.data(), n, T) <= (1 + 1e-12) / (4 * T));
            CHECK(scaled_weight_grad_max(p.data(), n) <= std::sqrt(2.0));
        }
        // equality: two tied weights of 1/2 each (at T <= 0.3 the other three weigh under 1e-5)
        const std::vector<float> tie = softmax_row(rows[1], T);
        if (T <= 0.3) CHECK(lemma_diagonal_max(tie.data(), 5, T) == doctest::Approx(1 / (4 * T)).epsilon(1e-4));
    }
}

TEST_CASE("the temperature-free gradient is T times the largest weight gradient, and the top weight reaches sqrt(2)/(4T) at a tie") {
    // why the top weight's full gradient is no test of 1/(4T): at a two-way tie it is sqrt 2 times larger
    const std::vector<float> p = {0.5f, 0.5f};
    CHECK(weight_grad_norm(p.data(), 2, 0, 0.1) == doctest::Approx(std::sqrt(2.0) / 0.4));
    Rng rng(9);
    std::vector<float> s(12);
    for (auto& v : s) v = static_cast<float>(rng.normal());
    const std::vector<float> q = softmax_row(s, 0.7);
    double best = 0;
    for (int i = 0; i < 12; ++i) best = std::max(best, 0.7 * weight_grad_norm(q.data(), 12, i, 0.7));
    CHECK(scaled_weight_grad_max(q.data(), 12) == doctest::Approx(best).epsilon(1e-9));
}

TEST_CASE("the report's row for length L is the last row of the L-token prefix (causal attention)") {
    const Model m = random_model(tiny_config(1, 1, 16, 32));
    const std::vector<int> ids = spread_ids(32, 7919, 5);
    PaperRequest r;
    r.top_ns = {2};
    r.rhos = {0.5};
    r.lengths = {8};
    const Json rep = paper_report(m, {ids}, r);
    // the independent path: a forward pass over the first 8 tokens alone, its last row
    SelectionSweep expected;
    ForwardOptions fo;
    fo.observer = [&](const HeadView& v) { expected = selection_sweep(row_ptr(v.probs, 7), v.v, 8, {2, 4}, r.delta); };
    forward(m, std::vector<int>(ids.begin(), ids.begin() + 8), fo);
    CHECK(rep["windows"] == 1);
    CHECK(rep["proportional_n"][0][0] == 4);  // ceil(0.5 x 8)
    CHECK(rep["distance"][0]["fixed_n"]["d"]["median"][0][0].get<double>() == doctest::Approx(expected.distance[0]).epsilon(1e-5));
    CHECK(rep["distance"][0]["proportional"]["d"]["median"][0][0].get<double>() == doctest::Approx(expected.distance[1]).epsilon(1e-5));
    CHECK(rep["separability"][0]["proportional"]["median"][0][0].get<double>() == doctest::Approx(expected.distinguishable[1]));
}

TEST_CASE("overlapping windows measure one more sequence of each length per window that reaches it, rows counted per length") {
    const Model m = random_model(tiny_config(1, 2, 16, 32));
    const std::vector<int> ids = spread_ids(40, 7919, 5);
    PaperRequest r;
    r.top_ns = {2};
    r.lengths = {8, 32};
    r.max_tokens = 32;
    const Json plain = paper_report(m, {ids}, r);  // windows [0, 32) and [32, 40)
    CHECK(plain["windows"] == 2);
    CHECK(plain["stride"] == 32);
    CHECK(plain["distance"][0]["rows"] == std::vector<long>{4, 2});  // 2 heads x (2 windows reach L = 8, 1 reaches 32)
    r.stride = 8;  // windows at 0, 8, 16, 24, 32 of lengths 32, 32, 24, 16, 8
    const Json strided = paper_report(m, {ids}, r);
    CHECK(strided["windows"] == 5);
    CHECK(strided["distance"][0]["rows"] == std::vector<long>{10, 4});
    // at L = 8 the strided rows are the last rows of ids[0..8), ids[8..16), ..., ids[32..40): exactly the rows of
    // plain 8-token windows, so the quartiles must agree
    r.lengths = {8};
    const Json at8 = paper_report(m, {ids}, r);
    r.max_tokens = 8;
    r.stride = 0;
    const Json short_windows = paper_report(m, {ids}, r);
    CHECK(short_windows["windows"] == 5);
    for (const char* q : {"q1", "median", "q3"})
        CHECK(at8["distance"][0]["fixed_n"]["d"][q][0][0].get<double>() ==
              doctest::Approx(short_windows["distance"][0]["fixed_n"]["d"][q][0][0].get<double>()).epsilon(1e-6));
    r.max_tokens = 32;
    r.stride = 40;
    CHECK_THROWS_WITH_AS(paper_report(m, {ids}, r), doctest::Contains("stride must be at most the window (32 tokens; got 40)"), Error);
}

TEST_CASE("the lemma gets no verdict (it holds by algebra): shares of near-tied and saturated rows instead, by layer and T") {
    const Model m = random_model(tiny_config(2, 4, 16, 64), 1.5f);  // large weights: peaked and near-tied rows
    PaperRequest r;
    r.temperatures = "0.01:10:9";
    r.model_name = "random-test";
    const Json rep = paper_report(m, {spread_ids(64, 7919, 3)}, r);
    CHECK_FALSE(rep["gradient"].contains("within_lemma"));
    for (const auto& l : rep["gradient"]["layers"])
        for (const char* q : {"lemma_diagonal", "jacobian_spectral"})
            for (std::size_t ti = 0; ti < 9; ++ti) {
                const double near = l["near_bound"][q][ti].get<double>(), sat = l["saturated"][q][ti].get<double>();
                CHECK(near >= 0);
                CHECK(sat >= 0);
                CHECK(near + sat <= 1.0);  // a row cannot be both
            }
    // colder rows saturate: at T = 0.01 more rows are saturated than at T = 10, in every layer
    for (const auto& l : rep["gradient"]["layers"])
        CHECK(l["saturated"]["lemma_diagonal"][0].get<double>() > l["saturated"]["lemma_diagonal"][8].get<double>());
    CHECK(rep["gradient"]["bounds"]["scaled_weight_grad_ceiling"].get<double>() == doctest::Approx(std::sqrt(2.0) / 4));
    const Json& v = rep["verdicts"].back();
    CHECK(v["figure"] == "gradient-lemma");
    CHECK(v["verdict"] == "no verdict");
    const std::string sentence = v["sentence"].get<std::string>();
    CHECK(sentence.find("no model can agree or differ with it") != std::string::npos);
    CHECK(sentence.find(": at T = 0.75, ") != std::string::npos);  // the temperature nearest the model's own (1)
    CHECK(sentence.find("random-test, a ") != std::string::npos);
}

TEST_CASE("verdicts name the model, and say when it is not the GPT-2 124M the paper measured") {
    Config gpt2 = tiny_config(12, 12, 768, 1024);
    const MeasuredOn big = measured_on(gpt2, "openai-community/gpt2");
    CHECK(big.parameters == 124439808);  // GPT-2 124M, lm_head tied
    CHECK(big.gpt2_124m);
    CHECK(big.description == "openai-community/gpt2 (GPT-2 124M's shape, 124.4 M parameters)");
    const MeasuredOn small = measured_on(tiny_config(4, 8, 128, 256), "tiny-gpt2");
    CHECK_FALSE(small.gpt2_124m);
    CHECK(small.description == "tiny-gpt2, a 7.3 M-parameter model (4 layers x 8 heads x 128 channels), not GPT-2 124M");
    // GPT-2 124M's numbers in another family are not GPT-2 124M, and the description names the family
    Config neox = gpt2;
    neox.family = Family::GptNeoX;
    neox.learned_positions = false;
    neox.rotary_dim = 16;
    const MeasuredOn other = measured_on(neox, "pythia-like");
    CHECK_FALSE(other.gpt2_124m);
    CHECK(other.description.find("-parameter GPT-NeoX model (12 layers x 12 heads x 768 channels), not GPT-2 124M") != std::string::npos);
    const Json rep = paper_report(random_model(tiny_config(1, 2, 8, 32)), {spread_ids(32)}, PaperRequest{});
    for (const auto& v : rep["verdicts"])
        CHECK(v["sentence"].get<std::string>().find("not GPT-2 124M (the paper's figures are for GPT-2 124M)") != std::string::npos);
}

TEST_CASE("bad paper requests are refused with the reason") {
    const Model m = random_model(tiny_config(1, 1, 16, 32));
    const std::vector<int> ids(20, 464);
    PaperRequest r;
    r.lengths = {64};
    CHECK_THROWS_WITH_AS(paper_report(m, {ids}, r), doctest::Contains("every length must be in 2..20"), Error);
    r.lengths = {};
    r.top_ns = {0};
    CHECK_THROWS_WITH_AS(paper_report(m, {ids}, r), doctest::Contains("every top_n must be >= 1"), Error);
    r.top_ns = {1};
    r.rhos = {1.0};
    CHECK_THROWS_WITH_AS(paper_report(m, {ids}, r), doctest::Contains("every rho must be in (0, 1)"), Error);
    r.rhos = {0.5};
    CHECK_THROWS_WITH_AS(paper_report(m, {std::vector<int>{464}}, r), doctest::Contains("at least 2 tokens"), Error);
}

}  // TEST_SUITE
