// The JSON every report is made of (nlohmann's, keys in insertion order), and the pieces reports share.
// NaN (undefined, e.g. the entropy of a 1-token row) is written as null.
#pragma once
#include <nlohmann/json.hpp>
#include <vector>

#include "analysis/stats.hpp"

namespace attnlab {

using Json = nlohmann::ordered_json;

Json number_json(double v);
Json numbers_json(const std::vector<double>& v);
// A number of a report back as a double: null (non-finite when written) reads as NaN.
double json_number(const Json& j);
// a < b with NaN after every number: sorts that rank by a measured value put undefined ones last.
bool less_nan_last(double a, double b);
// {"q1": [...], "median": [...], "q3": [...]}: the quartiles of each sample set (reorders the samples).
Json quartile_bands(std::vector<std::vector<double>>& samples);
// The same over each cell's sampled values.
Json quartile_bands(const std::vector<RowSample>& samples);

}  // namespace attnlab
