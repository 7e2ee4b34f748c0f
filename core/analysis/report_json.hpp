// The JSON shape of every analysis report, shared by the CLI and the WebAssembly API so the page and the
// command line show the same numbers. NaN (undefined, e.g. entropy of a 1-token row) is written as null.
#pragma once
#include <nlohmann/json.hpp>

#include "analysis/selectivity.hpp"
#include "analysis/sensitivity.hpp"

namespace attnlab {

using Json = nlohmann::ordered_json;

Json number_json(double v);
Json numbers_json(const std::vector<double>& v);
// {"q1": [...], "median": [...], "q3": [...]}: the quartiles of each sample set (reorders the samples).
Json quartile_bands(std::vector<std::vector<double>>& samples);
Json selectivity_json(const SelectivityReport& report, const SelectivityOptions& options);
Json sensitivity_json(const std::vector<SensitivityPoint>& points);

}  // namespace attnlab
