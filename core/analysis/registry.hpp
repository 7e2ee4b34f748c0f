// The table of analyses. The CLI's `analyze NAME` (flags and help), the WebAssembly API's
// `analyze(name, inputs, request)` and the page's defaults (`describe()`) are all read from it, so they
// cannot drift. Adding an analysis: write it (its request fields, its run function, its report) in its own
// files, and add one row to analyses() in registry.cpp.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analysis/request.hpp"
#include "analysis/windows.hpp"
#include "tensor.hpp"

namespace attnlab {

// What an analysis reads besides the model and its request.
//   Text:   one token sequence (the CLI: --text S or --text-file F; under another flag, a file: --eval F)
//   Texts:  one or more (the CLI: --text S or --text-file F [F ...])
//   Corpus: a token sequence to learn from, such as averages (the CLI: --corpus F)
//   Bytes:  a file's bytes, as saved by an output (the CLI: --averages F)
// Inputs with the same `group` are alternatives: exactly one of them is given. Others are required.
enum class InputKind { Text, Texts, Corpus, Bytes };
struct InputSpec {
    std::string name;  // "text", "corpus", "averages": the key in AnalysisInputs and in the wasm inputs
    InputKind kind;
    std::string flag;  // the CLI's flag ("text" stands for --text S | --text-file F)
    std::string help;
    std::string group;
};

// A file an analysis can hand back (the CLI saves it where --FLAG says).
struct OutputSpec {
    std::string name, flag, help;
};

struct AnalysisInputs {
    std::string model_name;                 // how reports name the model ("tiny-gpt2", "openai-community/gpt2")
    std::vector<std::vector<int>> texts;    // Text: one; Texts: one or more
    std::map<std::string, std::vector<int>> corpora;  // Corpus inputs given
    std::map<std::string, ByteView> bytes;  // Bytes inputs given (the caller keeps them alive)
    std::set<std::string> outputs;          // outputs asked for
};

struct AnalysisOutput {
    Json report;
    std::map<std::string, std::vector<std::uint8_t>> files;  // the outputs asked for
};

struct AnalysisSpec {
    std::string name, summary;
    std::vector<Field> fields;
    std::vector<InputSpec> inputs;
    std::vector<OutputSpec> outputs;
    // request: complete (complete_request). Throws Error with a message a user can act on.
    std::function<AnalysisOutput(const Model&, const AnalysisInputs&, const Json& request, const Progress&)> run;
    // It runs the backward pass, which reads the weight matrices themselves: the CLI keeps no packed copy of them for
    // the forward pass beside (model/packed_weights.hpp), which would hold the weights twice.
    bool backward = false;
};

// The row of an analysis that reads one text: report(model, ids, request, progress) with its request read
// from the fields (which must outlive the table: a function-local static).
template <class R>
AnalysisSpec text_analysis(std::string name, std::string summary, const RequestFields<R>& fields, std::string text_help,
                           Json (*report)(const Model&, const std::vector<int>&, const R&, const Progress&)) {
    const RequestFields<R>* f = &fields;
    return {std::move(name), std::move(summary), fields.fields(),
            {{"text", InputKind::Text, "text", std::move(text_help), ""}}, {},
            [f, report](const Model& m, const AnalysisInputs& in, const Json& request, const Progress& progress) {
                return AnalysisOutput{report(m, in.texts.at(0), f->read(request), progress), {}};
            }};
}

const std::vector<AnalysisSpec>& analyses();
// Throws Error listing the analyses when there is none of that name.
const AnalysisSpec& find_analysis(const std::string& name);
// The table as JSON: per analysis its summary, fields (name, kind, default, limits, help), inputs and outputs.
Json describe_analyses();

// Checks the request and runs the analysis: what the CLI and the WebAssembly API both call.
AnalysisOutput run_analysis(const AnalysisSpec& spec, const Model& model, const AnalysisInputs& inputs, const Json& request,
                            NameStyle style, const Progress& progress = nullptr);

}  // namespace attnlab
