// The JSON every report is made of (nlohmann's, keys in insertion order), and the pieces reports share.
// NaN (undefined, e.g. the entropy of a 1-token row) is written as null.
#pragma once
#include <nlohmann/json.hpp>
#include <vector>

namespace attnlab {

using Json = nlohmann::ordered_json;

Json number_json(double v);
Json numbers_json(const std::vector<double>& v);
// {"q1": [...], "median": [...], "q3": [...]}: the quartiles of each sample set (reorders the samples).
Json quartile_bands(std::vector<std::vector<double>>& samples);

}  // namespace attnlab
