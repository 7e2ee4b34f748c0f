#include "analysis/selectivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "error.hpp"

namespace attnlab {
namespace {

const double k_nan = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double delta_needed(int n, int k, double eps, double temperature) {
    if (k >= n) return k_nan;
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
    std::vector<std::pair<float, float>> ps(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j) ps[j] = {probs[j], scores[j]};
    std::sort(ps.begin(), ps.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second > b.second); });
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
    r.entropy_norm = n >= 2 ? h / std::log(static_cast<double>(n)) : k_nan;
    r.n_eff = std::exp(h);
    r.n_eff_frac = r.n_eff / n;
    r.tv_uniform = 0.5 * tv;
    r.p_max = ps[0].first;
    r.ceiling = 2.0 * q_norm * k_max_norm * scale;
    for (int k : o.ks) {
        if (k >= n) {
            r.mass.push_back(k_nan);
            r.margin.push_back(k_nan);
            r.needed.push_back(k_nan);
            r.bound.push_back(k_nan);
            r.ceiling_bound.push_back(k_nan);
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
    double k_max = 0;
    for (int i = 0; i < T; ++i) {
        k_max = std::max(k_max, static_cast<double>(v.k.row(i).norm()));
        out.rows.push_back(row_selectivity(row_ptr(v.probs, i), row_ptr(v.scores, i), i + 1, v.q.row(i).norm(), k_max, v.scale,
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

// The finite values of the rows whose N lies in `bin` (by_n[N - 1] holds the values of rows of length N).
std::vector<double> pooled_over(const std::vector<std::vector<double>>& by_n, const NBin& bin) {
    std::vector<double> out;
    for (int n = bin.lo; n <= bin.hi; ++n)
        for (double v : by_n[static_cast<std::size_t>(n - 1)])
            if (std::isfinite(v)) out.push_back(v);
    return out;
}

}  // namespace

SelectivityReport summarise_selectivity(const std::vector<HeadRows>& all, const Config& c,
                                        const SelectivityOptions& o) {
    SelectivityReport rep;
    for (const auto& h : all) rep.max_n = std::max(rep.max_n, static_cast<int>(h.rows.size()));
    rep.bins = log_bins(rep.max_n, o.bins);
    const std::size_t K = o.ks.size(), NN = static_cast<std::size_t>(rep.max_n);

    // per layer and N: the values over heads and windows
    std::vector<std::vector<std::vector<double>>> ent(c.n_layer, std::vector<std::vector<double>>(NN)), frac = ent;
    struct Acc {
        long rows = 0;
        Mean entropy_norm, n_eff_frac, tv, p_max, k90, ceiling;
        std::vector<Mean> mass, margin, needed, bound, ceiling_bound, impossible;
    };
    std::vector<Acc> acc(static_cast<std::size_t>(c.n_layer * c.n_head));
    for (auto& a : acc) a.mass = a.margin = a.needed = a.bound = a.ceiling_bound = a.impossible = std::vector<Mean>(K);
    std::vector<HeadDetail> details;
    std::vector<std::vector<std::vector<Mean>>> d_mass, d_needed;
    std::vector<std::vector<std::vector<std::vector<double>>>> d_mass_rows;  // [detail][k][N - 1]: each row's mass
    std::vector<std::vector<Mean>> d_ceiling;
    for (const auto& id : o.detail) {
        if (id.layer < 0 || id.layer >= c.n_layer || id.head < 0 || id.head >= c.n_head)
            throw Error("selectivity: head " + std::to_string(id.layer) + ":" + std::to_string(id.head) + " is outside this model");
        details.emplace_back();
        details.back().layer = id.layer;
        details.back().head = id.head;
        d_mass.emplace_back(K, std::vector<Mean>(NN));
        d_needed.emplace_back(K, std::vector<Mean>(NN));
        d_ceiling.emplace_back(NN);
        d_mass_rows.emplace_back(K, std::vector<std::vector<double>>(NN));
    }

    for (const auto& h : all) {
        Acc& a = acc[static_cast<std::size_t>(h.layer * c.n_head + h.head)];
        int detail = -1;
        for (std::size_t d = 0; d < o.detail.size(); ++d)
            if (o.detail[d].layer == h.layer && o.detail[d].head == h.head) detail = static_cast<int>(d);
        for (const auto& r : h.rows) {
            const std::size_t ni = static_cast<std::size_t>(r.n - 1);
            if (detail >= 0) {
                for (std::size_t k = 0; k < K; ++k) {
                    d_mass[detail][k][ni].add(r.mass[k]);
                    if (!rep.bins.empty()) d_mass_rows[detail][k][ni].push_back(r.mass[k]);
                    d_needed[detail][k][ni].add(r.needed[k]);
                }
                d_ceiling[detail][ni].add(r.ceiling);
            }
            if (r.n < 2) continue;
            ent[h.layer][ni].push_back(r.entropy_norm);
            frac[h.layer][ni].push_back(r.n_eff_frac);
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

    for (int l = 0; l < c.n_layer; ++l) {
        LayerSelectivity ls;
        ls.layer = l;
        for (std::size_t ni = 0; ni < NN; ++ni) {
            ls.entropy_norm.add(quartiles(ent[l][ni]));
            ls.n_eff_frac.add(quartiles(frac[l][ni]));
        }
        for (const NBin& bin : rep.bins) {
            std::vector<double> e = pooled_over(ent[l], bin), f = pooled_over(frac[l], bin);
            ls.bin_rows.push_back(static_cast<long>(e.size()));
            ls.binned_entropy_norm.add(quartiles(e));
            ls.binned_n_eff_frac.add(quartiles(f));
        }
        rep.layers.push_back(std::move(ls));
        rep.head_map.emplace_back();
        for (int hd = 0; hd < c.n_head; ++hd) {
            const Acc& a = acc[static_cast<std::size_t>(l * c.n_head + hd)];
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
    for (std::size_t d = 0; d < details.size(); ++d) {
        HeadDetail& hd = details[d];
        hd.mass_by_n.assign(K, {});
        hd.needed_by_n.assign(K, {});
        for (std::size_t k = 0; k < K; ++k)
            for (std::size_t ni = 0; ni < NN; ++ni) {
                hd.mass_by_n[k].push_back(d_mass[d][k][ni].mean());
                hd.needed_by_n[k].push_back(d_needed[d][k][ni].mean());
            }
        for (std::size_t ni = 0; ni < NN; ++ni) hd.ceiling_by_n.push_back(d_ceiling[d][ni].mean());
        if (!rep.bins.empty())
            for (std::size_t k = 0; k < K; ++k) {
                hd.binned_mass.emplace_back();
                hd.bin_rows.emplace_back();
                for (const NBin& bin : rep.bins) {
                    std::vector<double> m = pooled_over(d_mass_rows[d][k], bin);
                    hd.bin_rows.back().push_back(static_cast<long>(m.size()));
                    hd.binned_mass.back().add(quartiles(m));
                }
            }
        rep.details.push_back(std::move(hd));
    }
    return rep;
}

}  // namespace attnlab
