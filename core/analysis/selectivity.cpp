#include "analysis/selectivity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>

#include "error.hpp"

namespace attnlab {
namespace {

const double k_undefined = std::numeric_limits<double>::quiet_NaN();  // a figure a row cannot have

// A finite float's bits as an unsigned integer in the same order as the floats (negatives below positives; -0 just
// below +0), and back.
std::uint32_t ordered_bits(float x) {
    std::uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}
float from_ordered_bits(std::uint32_t u) {
    const std::uint32_t b = (u & 0x80000000u) ? (u & 0x7fffffffu) : ~u;
    float x;
    std::memcpy(&x, &b, sizeof x);
    return x;
}

}  // namespace

double delta_needed(int n, int k, double eps, double temperature) {
    if (k >= n) return k_undefined;
    return temperature * std::log(static_cast<double>(n - k) * (1.0 - eps) / (static_cast<double>(k) * eps));
}

double topk_mass_bound(int n, int k, double margin, double temperature) {
    if (k >= n) return 1.0;
    return k / (k + (n - k) * std::exp(-margin / temperature));
}

RowSelectivity row_selectivity(const float* probs, const float* scores, int n, double q_norm, double k_max_norm,
                               double scale, double temperature, const SelectivityOptions& o) {
    RowSelectivity r;
    r.n = n;
    // sorted by probability, largest first; equal weights (the zeros of sparsemax, entmax, top-k, hard-max)
    // by score, so the top-k set is the same in every build (softmax is monotone: it never ties otherwise)
    // (each entry one 64-bit key, weight then score, sorted with one integer comparison: sorting pairs of floats took a
    // sixth of the analysis's time; a weight of -0 counts as 0, as the comparison of floats had it)
    std::vector<std::uint64_t> keys(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j)
        keys[j] = (static_cast<std::uint64_t>(ordered_bits(probs[j] + 0.0f)) << 32) | ordered_bits(scores[j]);
    std::sort(keys.begin(), keys.end(), std::greater<std::uint64_t>());
    std::vector<std::pair<float, float>> ps(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j)
        ps[j] = {from_ordered_bits(static_cast<std::uint32_t>(keys[j] >> 32)), from_ordered_bits(static_cast<std::uint32_t>(keys[j]))};
    const double uniform = 1.0 / n;
    double h = 0, tv = 0, cum = 0;
    r.k90 = n;
    bool k90_found = false;
    for (int j = 0; j < n; ++j) {
        const double p = ps[j].first;
        if (p > 0) h -= p * std::log(p);
        tv += std::abs(p - uniform);
        cum += p;
        if (!k90_found && cum >= 0.9 - 1e-9) {
            r.k90 = j + 1;
            k90_found = true;
        }
    }
    r.entropy = h;
    r.entropy_norm = n >= 2 ? h / std::log(static_cast<double>(n)) : k_undefined;
    r.n_eff = std::exp(h);
    r.n_eff_frac = r.n_eff / n;
    r.tv_uniform = 0.5 * tv;
    r.p_max = ps[0].first;
    r.ceiling = 2.0 * q_norm * k_max_norm * scale;
    for (int k : o.ks) {
        if (k >= n) {
            r.mass.push_back(k_undefined);
            r.margin.push_back(k_undefined);
            r.needed.push_back(k_undefined);
            r.bound.push_back(k_undefined);
            r.ceiling_bound.push_back(k_undefined);
            continue;
        }
        double m = 0;
        for (int j = 0; j < k; ++j) m += ps[j].first;
        // the k-set's weakest score against the strongest score left out
        float weakest_in = ps[0].second;
        for (int j = 1; j < k; ++j) weakest_in = std::min(weakest_in, ps[j].second);
        float strongest_out = ps[k].second;
        for (int j = k + 1; j < n; ++j) strongest_out = std::max(strongest_out, ps[j].second);
        r.mass.push_back(m);
        r.margin.push_back(static_cast<double>(weakest_in) - strongest_out);
        r.needed.push_back(delta_needed(n, k, o.eps, temperature));
        r.bound.push_back(topk_mass_bound(n, k, r.margin.back(), temperature));
        r.ceiling_bound.push_back(topk_mass_bound(n, k, r.ceiling, temperature));
    }
    return r;
}

HeadRows head_selectivity(const HeadView& v, const SelectivityOptions& o) {
    HeadRows out;
    out.layer = v.layer;
    out.head = v.head;
    const int T = static_cast<int>(v.probs.rows());
    out.rows.reserve(static_cast<std::size_t>(T));
    // N = the keys row i may attend to: i + 1, or the last `window` of them in a local layer (GPT-Neo)
    const VecF k_norms = v.k.rowwise().norm();
    for (int i = 0; i < T; ++i) {
        const int j0 = v.first_key(i), n = i + 1 - j0;
        const double k_max = k_norms.segment(j0, n).maxCoeff();
        out.rows.push_back(row_selectivity(row_ptr(v.probs, i) + j0, row_ptr(v.scores, i) + j0, n, v.q.row(i).norm(), k_max, v.scale,
                                           v.normaliser.temperature, o));
    }
    return out;
}

std::vector<NBin> log_bins(int max_n, int count) {
    std::vector<NBin> bins;
    if (max_n < 2 || count < 1) return bins;
    const double a = std::log(2.0), b = std::log(static_cast<double>(max_n) + 1.0);
    int lo = 2;
    for (int i = 1; i <= count && lo <= max_n; ++i) {
        // the bin ends before the next edge, and holds at least one N
        const int edge = i == count ? max_n + 1 : static_cast<int>(std::floor(std::exp(a + (b - a) * i / count)));
        const int hi = std::min(max_n, std::max(lo, edge - 1));
        bins.push_back({lo, hi});
        lo = hi + 1;
    }
    if (lo <= max_n) bins.back().hi = max_n;
    return bins;
}

namespace {

// The sketches of the rows whose N lies in `bin` (by_n[N - 1] holds the rows of length N), pooled.
Quartiles pooled_over(const std::vector<UnitQuartiles>& by_n, const NBin& bin) {
    std::vector<const UnitQuartiles*> parts;
    for (int n = bin.lo; n <= bin.hi && n <= static_cast<int>(by_n.size()); ++n) parts.push_back(&by_n[static_cast<std::size_t>(n - 1)]);
    return UnitQuartiles::pooled(parts);
}

long rows_over(const std::vector<UnitQuartiles>& by_n, const NBin& bin) {
    long rows = 0;
    for (int n = bin.lo; n <= bin.hi && n <= static_cast<int>(by_n.size()); ++n) rows += by_n[static_cast<std::size_t>(n - 1)].count();
    return rows;
}

// Grows a per-N table to hold N = n.
template <class T>
T& at_n(std::vector<T>& by_n, int n) {
    if (static_cast<int>(by_n.size()) < n) by_n.resize(static_cast<std::size_t>(n));
    return by_n[static_cast<std::size_t>(n - 1)];
}

}  // namespace

SelectivitySummary::SelectivitySummary(const Config& c, const SelectivityOptions& o) : c_(c), o_(o) {
    const std::size_t K = o.ks.size();
    layers_.resize(static_cast<std::size_t>(c.n_layer));
    heads_.resize(static_cast<std::size_t>(c.n_layer * c.n_head));
    for (auto& a : heads_) a.mass = a.margin = a.needed = a.bound = a.ceiling_bound = a.impossible = std::vector<Mean>(K);
    for (const auto& id : o.detail) {
        if (id.layer < 0 || id.layer >= c.n_layer || id.head < 0 || id.head >= c.n_head)
            throw Error("selectivity: head " + std::to_string(id.layer) + ":" + std::to_string(id.head) + " is outside this model");
        details_.emplace_back();
        details_.back().mass.resize(K);
        details_.back().needed.resize(K);
        details_.back().mass_rows.resize(K);
    }
}

void SelectivitySummary::add(const HeadRows& h) {
    const std::size_t K = o_.ks.size();
    Acc& a = heads_[static_cast<std::size_t>(h.layer * c_.n_head + h.head)];
    PerN& layer = layers_[static_cast<std::size_t>(h.layer)];
    Detail* detail = nullptr;
    for (std::size_t d = 0; d < o_.detail.size(); ++d)
        if (o_.detail[d].layer == h.layer && o_.detail[d].head == h.head) detail = &details_[d];
    for (const auto& r : h.rows) {
        max_n_ = std::max(max_n_, r.n);
        if (detail) {
            for (std::size_t k = 0; k < K; ++k) {
                at_n(detail->mass[k], r.n).add(r.mass[k]);
                if (o_.bins > 0) at_n(detail->mass_rows[k], r.n).add(r.mass[k]);
                at_n(detail->needed[k], r.n).add(r.needed[k]);
            }
            at_n(detail->ceiling, r.n).add(r.ceiling);
        }
        if (r.n < 2) continue;
        at_n(layer.entropy_norm, r.n).add(r.entropy_norm);
        at_n(layer.n_eff_frac, r.n).add(r.n_eff_frac);
        ++a.rows;
        a.entropy_norm.add(r.entropy_norm);
        a.n_eff_frac.add(r.n_eff_frac);
        a.tv.add(r.tv_uniform);
        a.p_max.add(r.p_max);
        a.k90.add(r.k90);
        a.ceiling.add(r.ceiling);
        for (std::size_t k = 0; k < K; ++k) {
            if (!(r.mass[k] == r.mass[k])) continue;
            a.mass[k].add(r.mass[k]);
            a.margin[k].add(r.margin[k]);
            a.needed[k].add(r.needed[k]);
            a.bound[k].add(r.bound[k]);
            a.ceiling_bound[k].add(r.ceiling_bound[k]);
            a.impossible[k].add(r.needed[k] > r.ceiling ? 1.0 : 0.0);
        }
    }
}

SelectivityReport SelectivitySummary::report() const {
    SelectivityReport rep;
    rep.max_n = max_n_;
    rep.bins = log_bins(rep.max_n, o_.bins);
    const std::size_t K = o_.ks.size(), NN = static_cast<std::size_t>(rep.max_n);
    const UnitQuartiles none;
    const auto cell = [&](const std::vector<UnitQuartiles>& by_n, std::size_t ni) -> const UnitQuartiles& {
        return ni < by_n.size() ? by_n[ni] : none;
    };
    for (int l = 0; l < c_.n_layer; ++l) {
        const PerN& layer = layers_[static_cast<std::size_t>(l)];
        LayerSelectivity ls;
        ls.layer = l;
        for (std::size_t ni = 0; ni < NN; ++ni) {
            ls.entropy_norm.add(cell(layer.entropy_norm, ni).quartiles());
            ls.n_eff_frac.add(cell(layer.n_eff_frac, ni).quartiles());
        }
        for (const NBin& bin : rep.bins) {
            ls.bin_rows.push_back(rows_over(layer.entropy_norm, bin));
            ls.binned_entropy_norm.add(pooled_over(layer.entropy_norm, bin));
            ls.binned_n_eff_frac.add(pooled_over(layer.n_eff_frac, bin));
        }
        rep.layers.push_back(std::move(ls));
        rep.head_map.emplace_back();
        for (int hd = 0; hd < c_.n_head; ++hd) {
            const Acc& a = heads_[static_cast<std::size_t>(l * c_.n_head + hd)];
            rep.head_map.back().push_back(a.entropy_norm.mean());
            HeadSummary s;
            s.layer = l;
            s.head = hd;
            s.rows = a.rows;
            s.entropy_norm = a.entropy_norm.mean();
            s.n_eff_frac = a.n_eff_frac.mean();
            s.tv_uniform = a.tv.mean();
            s.p_max = a.p_max.mean();
            s.k90 = a.k90.mean();
            s.ceiling = a.ceiling.mean();
            for (std::size_t k = 0; k < K; ++k) {
                s.mass.push_back(a.mass[k].mean());
                s.margin.push_back(a.margin[k].mean());
                s.needed.push_back(a.needed[k].mean());
                s.bound_mass.push_back(a.bound[k].mean());
                s.ceiling_mass.push_back(a.ceiling_bound[k].mean());
                s.impossible_fraction.push_back(a.impossible[k].mean());
            }
            rep.heads.push_back(std::move(s));
        }
    }
    const Mean no_rows;
    const auto mean_at = [&](const std::vector<Mean>& by_n, std::size_t ni) { return (ni < by_n.size() ? by_n[ni] : no_rows).mean(); };
    for (std::size_t d = 0; d < details_.size(); ++d) {
        const Detail& src = details_[d];
        HeadDetail hd;
        hd.layer = o_.detail[d].layer;
        hd.head = o_.detail[d].head;
        hd.mass_by_n.assign(K, {});
        hd.needed_by_n.assign(K, {});
        for (std::size_t k = 0; k < K; ++k)
            for (std::size_t ni = 0; ni < NN; ++ni) {
                hd.mass_by_n[k].push_back(mean_at(src.mass[k], ni));
                hd.needed_by_n[k].push_back(mean_at(src.needed[k], ni));
            }
        for (std::size_t ni = 0; ni < NN; ++ni) hd.ceiling_by_n.push_back(mean_at(src.ceiling, ni));
        if (!rep.bins.empty())
            for (std::size_t k = 0; k < K; ++k) {
                hd.binned_mass.emplace_back();
                hd.bin_rows.emplace_back();
                for (const NBin& bin : rep.bins) {
                    hd.bin_rows.back().push_back(rows_over(src.mass_rows[k], bin));
                    hd.binned_mass.back().add(pooled_over(src.mass_rows[k], bin));
                }
            }
        rep.details.push_back(std::move(hd));
    }
    return rep;
}

SelectivityReport summarise_selectivity(const std::vector<HeadRows>& all, const Config& c, const SelectivityOptions& o) {
    SelectivitySummary summary(c, o);
    for (const auto& h : all) summary.add(h);
    return summary.report();
}

}  // namespace attnlab
