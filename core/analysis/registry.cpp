#include "analysis/registry.hpp"

#include <cmath>

#include "analysis/conditioning.hpp"
#include "analysis/constant_attention.hpp"
#include "analysis/hardmax.hpp"
#include "analysis/lookup.hpp"
#include "analysis/paper.hpp"
#include "analysis/papa_curve.hpp"
#include "analysis/selectivity_report.hpp"
#include "analysis/sensitivity_report.hpp"
#include "error.hpp"

namespace attnlab {
namespace {

const char* input_kind_name(InputKind kind) {
    switch (kind) {
        case InputKind::Text: return "text";
        case InputKind::Texts: return "texts";
        case InputKind::Corpus: return "corpus";
        case InputKind::Bytes: return "bytes";
    }
    return "?";
}

Json limits_json(const Limits& l) {
    Json j = Json::object();
    if (std::isfinite(l.min)) j[l.open_min ? "above" : "min"] = l.min;
    if (std::isfinite(l.max)) j[l.open_max ? "below" : "max"] = l.max;
    if (l.context) j["context"] = true;
    return j;
}

}  // namespace

const std::vector<AnalysisSpec>& analyses() {
    static const std::vector<AnalysisSpec> table = {
        selectivity_analysis(),
        sensitivity_analysis(),
        paper_analysis(),
        conditioning_analysis(),
        constant_analysis(),
        papa_analysis(),
        hardmax_analysis(),
        lookup_analysis(),
    };
    return table;
}

const AnalysisSpec& find_analysis(const std::string& name) {
    std::string names;
    for (const auto& a : analyses()) {
        if (a.name == name) return a;
        names += (names.empty() ? "" : ", ") + a.name;
    }
    throw Error("unknown analysis '" + name + "' (" + names + ")");
}

Json describe_analyses() {
    Json out = Json::array();
    for (const auto& a : analyses()) {
        Json fields = Json::array(), inputs = Json::array(), outputs = Json::array();
        for (const auto& f : a.fields)
            fields.push_back({{"name", f.name}, {"kind", kind_name(f.kind)}, {"default", f.default_value},
                              {"limits", limits_json(f.limits)}, {"help", f.help}});
        for (const auto& i : a.inputs)
            inputs.push_back({{"name", i.name}, {"kind", input_kind_name(i.kind)}, {"help", i.help}, {"group", i.group},
                              {"cli_flag", i.flag}});
        for (const auto& o : a.outputs) outputs.push_back({{"name", o.name}, {"help", o.help}});
        out.push_back({{"name", a.name}, {"summary", a.summary}, {"fields", fields}, {"inputs", inputs}, {"outputs", outputs}});
    }
    return out;
}

AnalysisOutput run_analysis(const AnalysisSpec& spec, const Model& model, const AnalysisInputs& inputs, const Json& request,
                            NameStyle style, const Progress& progress) {
    const Json complete = complete_request(spec.fields, request, model.config, style, spec.name);
    return spec.run(model, inputs, complete, progress);
}

}  // namespace attnlab
