// An analysis request as data: its fields (name, kind, default, limits, one line of help), read from JSON
// and checked in one place. The CLI turns flags into this JSON (--max-tokens 64 is field max_tokens), the
// WebAssembly API takes it as it comes from the page, and both get the same defaults and the same errors.
// Defaults are not written twice: a field's default is its member's value in the analysis's default-built
// request struct.
#pragma once
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "analysis/json.hpp"
#include "model/config.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

enum class FieldKind { Int, Number, Bool, Text, IntList, NumberList, Heads };
const char* kind_name(FieldKind kind);  // "integer", "number", ...

// Bounds on a number or on each element of a list. `context`: an integer that is 0 (the analysis's own
// default, said in the help) or at least `min` and at most the model's context (n_positions).
struct Limits {
    double min = -std::numeric_limits<double>::infinity(), max = std::numeric_limits<double>::infinity();
    bool open_min = false, open_max = false;
    bool context = false;
};
inline Limits at_least(double v) { return {v}; }
inline Limits positive() { return {0, std::numeric_limits<double>::infinity(), true}; }
inline Limits open_unit() { return {0, 1, true, true}; }
inline Limits context_tokens(int min = 2) { Limits l{static_cast<double>(min)}; l.context = true; return l; }

struct Field {
    std::string name;    // JSON key; the CLI's flag is the name with '-' for '_'
    FieldKind kind;
    std::string help;    // one line
    Json default_value;  // the default request's value
    Limits limits;
};

// How errors name a field: as the CLI's flag (--max-tokens) or as the request's key (max_tokens).
enum class NameStyle { Flag, Key };
std::string field_label(const std::string& name, NameStyle style);

// `given` (an object; missing keys take their defaults) checked against `fields` and the model: unknown keys,
// wrong kinds, values outside the limits and heads the model does not have are refused with an Error that
// names the field. Returns the complete request.
Json complete_request(const std::vector<Field>& fields, const Json& given, const Config& config, NameStyle style,
                      const std::string& analysis);

// A request struct R's fields, each bound to a member: the defaults come from R{}, and read() fills an R
// from a complete request.
template <class R>
class RequestFields {
public:
    template <class T>
    RequestFields& add(const char* name, T R::*member, const char* help, Limits limits = {}) {
        fields_.push_back({name, kind_of(static_cast<T*>(nullptr)), help, to_json(R{}.*member), limits});
        setters_.push_back([member, name](R& r, const Json& request) { from_json(request.at(name), r.*member); });
        getters_.push_back([member, name](const R& r, Json& request) { request[name] = to_json(r.*member); });
        return *this;
    }
    const std::vector<Field>& fields() const { return fields_; }
    // The fields of a complete request over `base` (members that are not fields keep base's values).
    R read(const Json& complete, R base = R{}) const {
        for (const auto& set : setters_) set(base, complete);
        return base;
    }
    Json write(const R& r) const {
        Json j = Json::object();
        for (const auto& get : getters_) get(r, j);
        return j;
    }
    // r checked by complete_request (the one validation of every field), for callers of the C++ API.
    R checked(const R& r, const Config& config, const std::string& analysis) const {
        return read(complete_request(fields_, write(r), config, NameStyle::Key, analysis), r);
    }

private:
    static FieldKind kind_of(int*) { return FieldKind::Int; }
    static FieldKind kind_of(double*) { return FieldKind::Number; }
    static FieldKind kind_of(bool*) { return FieldKind::Bool; }
    static FieldKind kind_of(std::string*) { return FieldKind::Text; }
    static FieldKind kind_of(std::vector<int>*) { return FieldKind::IntList; }
    static FieldKind kind_of(std::vector<double>*) { return FieldKind::NumberList; }
    static FieldKind kind_of(std::vector<HeadId>*) { return FieldKind::Heads; }
    template <class T>
    static Json to_json(const T& v) { return Json(v); }
    static Json to_json(const std::vector<HeadId>& heads);
    template <class T>
    static void from_json(const Json& j, T& v) { v = j.get<T>(); }
    static void from_json(const Json& j, std::vector<HeadId>& heads);

    std::vector<Field> fields_;
    std::vector<std::function<void(R&, const Json&)>> setters_;
    std::vector<std::function<void(const R&, Json&)>> getters_;
};

Json heads_to_json(const std::vector<HeadId>& heads);       // [[layer, head], ...]
std::vector<HeadId> heads_from_json(const Json& j);

template <class R>
Json RequestFields<R>::to_json(const std::vector<HeadId>& heads) { return heads_to_json(heads); }
template <class R>
void RequestFields<R>::from_json(const Json& j, std::vector<HeadId>& heads) { heads = heads_from_json(j); }

}  // namespace attnlab
