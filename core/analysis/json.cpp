#include "analysis/json.hpp"

#include <cmath>
#include <limits>

#include "analysis/stats.hpp"

namespace attnlab {

Json number_json(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

double json_number(const Json& j) { return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN(); }

bool less_nan_last(double a, double b) { return std::isnan(b) ? !std::isnan(a) : a < b; }

Json numbers_json(const std::vector<double>& v) {
    Json out = Json::array();
    for (double x : v) out.push_back(number_json(x));
    return out;
}

Json quartile_bands(std::vector<std::vector<double>>& samples) {
    std::vector<double> q1, med, q3;
    for (auto& v : samples) {
        const Quartiles q = quartiles(v);
        q1.push_back(q.q1);
        med.push_back(q.median);
        q3.push_back(q.q3);
    }
    return {{"q1", numbers_json(q1)}, {"median", numbers_json(med)}, {"q3", numbers_json(q3)}};
}

Json quartile_bands(const std::vector<RowSample>& samples) {
    std::vector<std::vector<double>> values;
    for (const auto& s : samples) values.push_back(s.values());
    return quartile_bands(values);
}

}  // namespace attnlab
