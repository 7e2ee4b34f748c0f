// Selectivity of attention rows (docs/science.md section 1): how far each row is from uniform, and whether the
// head's scores can single out a top-k set at all.
//   N = i + 1 tokens compete in row i; p = probabilities, s = scores (q k^T * scale), k = a set size.
// Per row: entropy H, H / log N, N_eff = exp(H) and N_eff / N, top-k mass m_k, k_90, TV distance to
// uniform, p_max; the achieved top-k margin Delta = s_(k) - s_(k+1), the margin needed for mass 1 - eps
//   Delta_needed(N, k, eps, T) = T log((N - k)(1 - eps) / (k eps)),
// and the geometric ceiling 2 |q| max_j |k_j| * scale that no margin can exceed.
#pragma once
#include <vector>

#include "analysis/stats.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

struct SelectivityOptions {
    std::vector<int> ks = {1, 2, 4, 8, 16};
    double eps = 0.1;
    std::vector<HeadId> detail;  // heads whose per-position curves go into the report
    int bins = 0;                // > 0: the layer bands also over this many log-spaced bins of N (N >= 2)
};

// Up to `count` bins of N covering 2 .. max_n with log-spaced edges, each [lo, hi] non-empty and in order
// (fewer when N has too few values to split).
struct NBin {
    int lo = 0, hi = 0;
};
std::vector<NBin> log_bins(int max_n, int count);

// T log((N - k)(1 - eps) / (k eps)); NaN when k >= N (every token is selected).
double delta_needed(int n, int k, double eps, double temperature);
// The least mass softmax(T) puts on a k-set whose scores lead the rest by `margin`: k / (k + (N - k) e^{-margin/T}).
double topk_mass_bound(int n, int k, double margin, double temperature);

struct RowSelectivity {
    int n = 0;
    double entropy = 0, entropy_norm = 0, n_eff = 0, n_eff_frac = 0, tv_uniform = 0, p_max = 0;
    int k90 = 0;
    double ceiling = 0;
    std::vector<double> mass, margin, needed;  // per k of the options; NaN where k >= N
    std::vector<double> bound;                 // per k: topk_mass_bound at the achieved margin
    std::vector<double> ceiling_bound;         // per k: topk_mass_bound at the geometric ceiling (the most any margin can promise)
};

// One row: probs[0..n), scores[0..n). entropy_norm is NaN for n = 1.
RowSelectivity row_selectivity(const float* probs, const float* scores, int n, double q_norm, double k_max_norm,
                               double scale, double temperature, const SelectivityOptions& options);

struct HeadRows {
    int layer = 0, head = 0;
    std::vector<RowSelectivity> rows;  // row i has N = i + 1
};

// Every row of one head as the forward pass shows it (use as, or inside, ForwardOptions::observer).
HeadRows head_selectivity(const HeadView& view, const SelectivityOptions& options);

// Summaries over rows with N >= 2 (and, for the k-columns, N > k).
struct Band {
    std::vector<double> q1, median, q3;  // per N = 1..max_n (index N - 1), or per bin
    void add(const Quartiles& q) {
        q1.push_back(q.q1);
        median.push_back(q.median);
        q3.push_back(q.q3);
    }
};
struct LayerSelectivity {
    int layer = 0;
    Band entropy_norm, n_eff_frac;  // over heads and windows, against N
    Band binned_entropy_norm, binned_n_eff_frac;  // the same over the report's bins (per bin, not per N)
    std::vector<long> bin_rows;                   // rows in each bin
};
struct HeadSummary {
    int layer = 0, head = 0;
    long rows = 0;
    double entropy_norm = 0, n_eff_frac = 0, tv_uniform = 0, p_max = 0, k90 = 0, ceiling = 0;  // means
    std::vector<double> mass, margin, needed, bound_mass, ceiling_mass, impossible_fraction;  // per k
};
struct HeadDetail {
    int layer = 0, head = 0;
    std::vector<std::vector<double>> mass_by_n, needed_by_n;  // [k][N - 1], mean over windows
    std::vector<double> ceiling_by_n;                        // [N - 1]
    std::vector<Band> binned_mass;                           // [k]: quartiles over the rows of each bin (N > k)
    std::vector<std::vector<long>> bin_rows;                 // [k][bin]: the rows behind them
};
struct SelectivityReport {
    int max_n = 0;
    std::vector<NBin> bins;  // empty unless asked for
    std::vector<LayerSelectivity> layers;
    std::vector<std::vector<double>> head_map;  // [layer][head] mean normalised entropy
    std::vector<HeadSummary> heads;             // layer-major
    std::vector<HeadDetail> details;
};

// The summary built one head of one window at a time (add), so that memory does not grow with the text: per-head
// means, per layer and N a UnitQuartiles sketch of the normalised entropy and N_eff / N (at most 4 KiB each, so at
// most 8 KiB x layers x the longest N), and per --heads head its per-N means and top-k mass sketches.
class SelectivitySummary {
public:
    SelectivitySummary(const Config& config, const SelectivityOptions& options);  // throws for a detail head outside the model
    void add(const HeadRows& head);
    SelectivityReport report() const;

private:
    struct Acc {
        long rows = 0;
        Mean entropy_norm, n_eff_frac, tv, p_max, k90, ceiling;
        std::vector<Mean> mass, margin, needed, bound, ceiling_bound, impossible;  // per k
    };
    struct PerN {
        std::vector<UnitQuartiles> entropy_norm, n_eff_frac;  // [N - 1], over heads and windows
    };
    struct Detail {
        std::vector<std::vector<Mean>> mass, needed;       // [k][N - 1], over windows
        std::vector<Mean> ceiling;                         // [N - 1]
        std::vector<std::vector<UnitQuartiles>> mass_rows;  // [k][N - 1]: each row's mass (when binned)
    };
    const Config& c_;
    SelectivityOptions o_;
    int max_n_ = 0;
    std::vector<PerN> layers_;
    std::vector<Acc> heads_;
    std::vector<Detail> details_;
};

// The summary of rows already gathered (tests, and small inputs).
SelectivityReport summarise_selectivity(const std::vector<HeadRows>& all, const Config& config,
                                        const SelectivityOptions& options);

}  // namespace attnlab
