#include "analysis/request.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "error.hpp"

namespace attnlab {
namespace {

std::string bound_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

bool integral(const Json& j) {
    return j.is_number_integer() || (j.is_number_float() && std::nearbyint(j.get<double>()) == j.get<double>());
}

bool element_is(FieldKind kind, const Json& j) {
    switch (kind) {
        case FieldKind::Int:
        case FieldKind::IntList: return j.is_number() && integral(j);
        case FieldKind::Number:
        case FieldKind::NumberList: return j.is_number();
        case FieldKind::Bool: return j.is_boolean();
        case FieldKind::Text: return j.is_string();
        case FieldKind::Heads: return j.is_array() && j.size() == 2 && j[0].is_number_integer() && j[1].is_number_integer();
    }
    return false;
}

bool is_list(FieldKind kind) { return kind == FieldKind::IntList || kind == FieldKind::NumberList || kind == FieldKind::Heads; }

// "must be >= 1", "must be in (0, 1)", "must be an integer in 2..1024 (or 0 for the default)"
std::string limits_text(const Limits& l, bool integer, const Config& c) {
    if (l.context) return "must be an integer in " + bound_text(l.min) + ".." + std::to_string(c.n_positions) + " (or 0 for the default)";
    const bool lo = std::isfinite(l.min), hi = std::isfinite(l.max);
    if (lo && hi) {
        if (integer && !l.open_min && !l.open_max) return "must be an integer in " + bound_text(l.min) + ".." + bound_text(l.max);
        return "must be in " + std::string(l.open_min ? "(" : "[") + bound_text(l.min) + ", " + bound_text(l.max) + (l.open_max ? ")" : "]");
    }
    if (lo) return std::string("must be ") + (l.open_min ? "> " : ">= ") + bound_text(l.min);
    return std::string("must be ") + (l.open_max ? "< " : "<= ") + bound_text(l.max);
}

bool within(double v, const Limits& l, const Config& c) {
    if (l.context) return v == 0 || (v >= l.min && v <= c.n_positions);
    return (l.open_min ? v > l.min : v >= l.min) && (l.open_max ? v < l.max : v <= l.max);
}

}  // namespace

const char* kind_name(FieldKind kind) {
    switch (kind) {
        case FieldKind::Int: return "integer";
        case FieldKind::Number: return "number";
        case FieldKind::Bool: return "true or false";
        case FieldKind::Text: return "text";
        case FieldKind::IntList: return "list of integers";
        case FieldKind::NumberList: return "list of numbers";
        case FieldKind::Heads: return "list of heads";
    }
    return "?";
}

std::string field_label(const std::string& name, NameStyle style) {
    if (style == NameStyle::Key) return name;
    std::string flag = "--" + name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    return flag;
}

Json heads_to_json(const std::vector<HeadId>& heads) {
    Json out = Json::array();
    for (const auto& h : heads) out.push_back({h.layer, h.head});
    return out;
}

std::vector<HeadId> heads_from_json(const Json& j) {
    std::vector<HeadId> heads;
    for (const auto& h : j) heads.push_back({h.at(0).get<int>(), h.at(1).get<int>()});
    return heads;
}

Json complete_request(const std::vector<Field>& fields, const Json& given, const Config& c, NameStyle style,
                      const std::string& analysis) {
    const std::string bad = style == NameStyle::Key ? "bad options: " : "";
    if (!given.is_object()) throw Error(bad + analysis + ": the request must be a JSON object");
    for (auto it = given.begin(); it != given.end(); ++it) {
        const std::string key = it.key();
        if (std::any_of(fields.begin(), fields.end(), [&](const Field& f) { return f.name == key; })) continue;
        std::string known;
        for (const auto& f : fields) known += (known.empty() ? "" : ", ") + field_label(f.name, style);
        throw Error(bad + analysis + ": unknown option " + field_label(key, style) + " (accepted: " + known + ")");
    }
    Json out = Json::object();
    for (const auto& f : fields) {
        const std::string label = field_label(f.name, style);
        const Json& v = given.contains(f.name) && !given.at(f.name).is_null() ? given.at(f.name) : f.default_value;
        const bool list = is_list(f.kind);
        if (list ? !v.is_array() || !std::all_of(v.begin(), v.end(), [&](const Json& e) { return element_is(f.kind, e); })
                 : !element_is(f.kind, v))
            throw Error(bad + analysis + ": " + label + " must be " + (list ? "a " : "") + kind_name(f.kind) +
                        (f.kind == FieldKind::Heads ? " [[layer, head], ...]" : ""));
        const bool numeric = f.kind == FieldKind::Int || f.kind == FieldKind::Number || f.kind == FieldKind::IntList ||
                             f.kind == FieldKind::NumberList;
        const bool integer = f.kind == FieldKind::Int || f.kind == FieldKind::IntList;
        if (numeric)
            for (const Json& e : list ? v : Json::array({v}))
                if (!within(e.get<double>(), f.limits, c) || (integer && std::abs(e.get<double>()) > 2147483647.0))
                    throw Error(analysis + ": " + (list ? "every " : "") + label + " " + limits_text(f.limits, integer, c) +
                                " (got " + bound_text(e.get<double>()) + ")");
        if (f.kind == FieldKind::Heads)
            for (const HeadId& h : heads_from_json(v))
                if (h.layer < 0 || h.layer >= c.n_layer || h.head < 0 || h.head >= c.n_head)
                    throw Error(analysis + ": " + label + ": " + std::to_string(h.layer) + ":" + std::to_string(h.head) +
                                " is outside this model (layers 0.." + std::to_string(c.n_layer - 1) + ", heads 0.." +
                                std::to_string(c.n_head - 1) + ")");
        out[f.name] = integer ? (list ? Json(v.get<std::vector<long long>>()) : Json(v.get<long long>())) : v;
    }
    return out;
}

}  // namespace attnlab
