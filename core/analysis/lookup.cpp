#include "analysis/lookup.hpp"

#include <chrono>

#include "attention/parabolic_memory.hpp"
#include "error.hpp"
#include "util/clock.hpp"
#include "util/rng.hpp"

namespace attnlab {
namespace {

const RequestFields<LookupRequest>& lookup_fields() {
    static const auto f = RequestFields<LookupRequest>()
        .add("max_length", &LookupRequest::max_length,
             "the longest run, in steps: runs at the text's length, then 10^3, 10^4, ... up to this",
             Limits{1, 1000000})
        .add("scan_checks", &LookupRequest::scan_checks, "reads per run also answered by the linear scan", at_least(1))
        .add("seed", &LookupRequest::seed, "seed of the positions read", at_least(0));
    return f;
}

}  // namespace

LookupRun run_lookup(const std::vector<int>& values, long length, int scan_checks, std::uint64_t seed, int trace,
                     const Progress& progress) {
    if (values.empty()) throw Error("lookup: there are no values to store (the text is empty)");
    if (length < 1) throw Error("lookup: the run needs at least one step");
    const auto value_at = [&values](long t) { return values[static_cast<std::size_t>(t % static_cast<long>(values.size()))]; };
    Rng rng(seed);
    std::vector<long> asked(static_cast<std::size_t>(length)), found(asked.size());
    std::vector<int> got(asked.size());
    for (long t = 0; t < length; ++t) asked[static_cast<std::size_t>(t)] = static_cast<long>(rng.below(static_cast<std::uint64_t>(t) + 1));
    // the head's steps, timed as a whole (a browser's clock is too coarse for one step): write v_t, read asked[t]
    ParabolicMemory memory;
    const long report_every = std::max(1L, length / 20);
    auto start = std::chrono::steady_clock::now();
    for (long t = 0; t < length; ++t) {
        const auto i = static_cast<std::size_t>(t);
        memory.write(value_at(t));
        const ParabolicMemory::Read r = memory.read(asked[i]);
        found[i] = r.position;
        got[i] = r.value;
        if (progress && (t + 1) % report_every == 0) progress(static_cast<int>((t + 1) / report_every), 20, "twentieth of the run");
    }
    LookupRun run;
    run.length = length;
    run.hull_ns_per_step = seconds_since(start) / static_cast<double>(length) * 1e9;
    for (long t = 0; t < length; ++t) {
        const auto i = static_cast<std::size_t>(t);
        run.exact += found[i] == asked[i] && got[i] == value_at(asked[i]);
        if (static_cast<long>(run.trace.size()) < trace) run.trace.push_back({t, asked[i], found[i], got[i], value_at(asked[i])});
    }
    // the sampled steps again, by scanning the keys the memory held then
    const long every = std::max(1L, length / std::max(1, scan_checks));
    std::vector<long> checked;
    for (long t = every - 1; t < length && static_cast<long>(checked.size()) < scan_checks; t += every) checked.push_back(t);
    std::vector<long> scanned(checked.size());
    start = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < checked.size(); ++k)
        scanned[k] = memory.read_by_scan(asked[static_cast<std::size_t>(checked[k])], checked[k] + 1).position;
    const double scan_s = seconds_since(start);
    run.scan_checked = static_cast<long>(checked.size());
    for (std::size_t k = 0; k < checked.size(); ++k) run.scan_agrees += scanned[k] == found[static_cast<std::size_t>(checked[k])];
    run.scan_ns_per_read = run.scan_checked ? scan_s / static_cast<double>(run.scan_checked) * 1e9 : 0.0;
    return run;
}

Json lookup_report(const Model&, const std::vector<int>& ids, const LookupRequest& r, const Progress& progress) {
    if (ids.empty()) throw Error("lookup: the text is empty");
    std::vector<long> lengths = {static_cast<long>(ids.size())};
    for (long n = 1000; n <= r.max_length; n *= 10)
        if (n > lengths.back()) lengths.push_back(n);
    if (r.max_length > lengths.back()) lengths.push_back(r.max_length);
    Json runs = Json::array(), trace = Json::array();
    for (std::size_t k = 0; k < lengths.size(); ++k) {
        const LookupRun run = run_lookup(ids, lengths[k], r.scan_checks, static_cast<std::uint64_t>(r.seed), k == 0 ? 16 : 0,
                                         progress ? Progress([&](int done, int total, const std::string&) {
                                             progress(static_cast<int>(k) * total + done, static_cast<int>(lengths.size()) * total,
                                                      "twentieth of the runs");
                                         }) : Progress());
        runs.push_back({{"length", run.length}, {"exact", run.exact}, {"exact_share", static_cast<double>(run.exact) / run.length},
                        {"scan_checked", run.scan_checked}, {"scan_agrees", run.scan_agrees},
                        {"hull_ns_per_step", run.hull_ns_per_step}, {"scan_ns_per_read", run.scan_ns_per_read}});
        for (const auto& s : run.trace)
            trace.push_back({{"step", s.step}, {"asked", s.asked}, {"found", s.found}, {"value", s.value}, {"stored", s.stored}});
    }
    return {{"analysis", "lookup"},
            {"tokens", ids.size()},
            {"keys", "k_j = (2j, -j^2), query (i, 1): q . k_j = i^2 - (i - j)^2"},
            {"values", "the text's token ids, repeated to the run's length"},
            {"tie_rule", "among keys with exactly the largest score, the latest wins"},
            {"runs", runs},
            {"trace", trace}};
}

AnalysisSpec lookup_analysis() {
    return text_analysis("lookup",
                         "hard-max attention as exact memory lookup: a 2-D head with parabolic keys reads any position "
                         "it stored, through the hull index in O(log n), checked against the linear scan",
                         lookup_fields(), "the text whose token ids the head stores", lookup_report);
}

}  // namespace attnlab
