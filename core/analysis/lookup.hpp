// Hard-max attention as exact memory lookup, run (analyze lookup, bench --analysis hull; docs/science.md
// section 6): a ParabolicMemory head writes one value per step and, after each write, reads a position drawn
// uniformly from those written; every read must return that position's value. A sample of reads is also
// answered by the linear scan over every key, which must pick the same key.
#pragma once
#include <cstdint>
#include <vector>

#include "analysis/registry.hpp"

namespace attnlab {

struct LookupStep {
    long step = 0, asked = 0, found = 0;
    int value = 0, stored = 0;  // what the read returned, what was written at `asked`
};

struct LookupRun {
    long length = 0, exact = 0;    // steps, and reads that returned the asked position's value
    long scan_checked = 0, scan_agrees = 0;
    double hull_ns_per_step = 0;   // one write and one read through the hull index (the run timed as a whole)
    double scan_ns_per_read = 0;   // one read by linear scan over the keys held then, at the sampled steps
    std::vector<LookupStep> trace;  // the first steps
};

// Writes values[t mod size] for t = 0 .. length - 1; `scan_checks` reads, spread evenly over the run, are also
// answered by the scan. Throws Error when values is empty.
LookupRun run_lookup(const std::vector<int>& values, long length, int scan_checks, std::uint64_t seed, int trace,
                     const Progress& progress = nullptr);

struct LookupRequest {
    int max_length = 100000;  // the longest run: the text's length, then 10^3, 10^4, ... up to this
    int scan_checks = 200;
    int seed = 1;
};
Json lookup_report(const Model& model, const std::vector<int>& ids, const LookupRequest& request,
                   const Progress& progress = nullptr);

AnalysisSpec lookup_analysis();

}  // namespace attnlab
