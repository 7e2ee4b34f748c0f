// attnlab analyze NAME: every analysis of the core's table (analysis/registry.hpp), its flags and help read
// from the table: request field max_tokens is flag --max-tokens, its default the table's.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>

#include "analysis/registry.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "cli/terminal.hpp"
#include "error.hpp"
#include "util/clock.hpp"

namespace attnlab::cli {
namespace {

using Takes = FlagSpec::Takes;

std::string flag_of(const std::string& field) { return field_label(field, NameStyle::Flag).substr(2); }

std::string heads_text(const Json& heads) {
    std::string s;
    for (const auto& h : heads) s += (s.empty() ? "" : ",") + std::to_string(h[0].get<int>()) + ":" + std::to_string(h[1].get<int>());
    return s;
}

// A default as it would be typed: lists comma-separated, heads L:H; an empty list has no default to print.
std::string cli_text(const Json& v, FieldKind kind) {
    switch (kind) {
        case FieldKind::Int: return std::to_string(v.get<long long>());
        case FieldKind::Number: return number_text(v.get<double>());
        case FieldKind::Bool: return v.get<bool>() ? "true" : "false";
        case FieldKind::Text: return v.get<std::string>();
        case FieldKind::Heads: return heads_text(v);
        case FieldKind::IntList:
        case FieldKind::NumberList: {
            std::string s;
            for (const auto& x : v) s += (s.empty() ? "" : ",") + (kind == FieldKind::IntList ? std::to_string(x.get<long long>()) : number_text(x.get<double>()));
            return s;
        }
    }
    return "";
}

const char* placeholder(FieldKind kind) {
    switch (kind) {
        case FieldKind::Int: return "N";
        case FieldKind::Number: return "X";
        case FieldKind::Bool: return "true|false";
        case FieldKind::Text: return "S";
        case FieldKind::IntList: return "N,N,...";
        case FieldKind::NumberList: return "X,X,...";
        case FieldKind::Heads: return "L:H,...";
    }
    return "V";
}

// The flags of one input: --text S and --text-file F for a text, one file flag otherwise.
std::vector<FlagSpec> input_flags(const InputSpec& in) {
    if (in.flag == "text") {
        FlagSpec file = text_file_flag();
        if (in.kind == InputKind::Texts) file.takes = Takes::List;
        return {text_flag(), file};
    }
    return {{in.flag, Takes::Value, "F", in.help + " (a file)", "", in.group.empty()}};
}

// Inputs that are alternatives, by group.
std::map<std::string, std::vector<const InputSpec*>> input_groups(const AnalysisSpec& a) {
    std::map<std::string, std::vector<const InputSpec*>> groups;
    for (const auto& in : a.inputs)
        if (!in.group.empty()) groups[in.group].push_back(&in);
    return groups;
}

// "give --corpus F (the text to average over) or --averages F (...), one of them"
std::string group_rule(const std::vector<const InputSpec*>& group) {
    std::string rule = "give ";
    for (std::size_t i = 0; i < group.size(); ++i) rule += (i ? " or --" : "--") + group[i]->flag + " F (" + group[i]->help + ")";
    return rule + ", one of them";
}

CommandSpec command_of(const AnalysisSpec& a) {
    CommandSpec spec{"analyze " + a.name, a.summary, {model_flag()}, {}};
    for (const auto& in : a.inputs) {
        for (const auto& f : input_flags(in)) spec.flags.push_back(f);
        if (in.flag == "text")
            spec.notes.push_back(in.kind == InputKind::Texts ? "Give --text S or --text-file F [F ...], one of them: " + in.help + "."
                                                             : text_note() + " It is " + in.help + ".");
    }
    for (const auto& [group, inputs] : input_groups(a)) {
        std::string rule = group_rule(inputs);
        rule[0] = 'G';
        spec.notes.push_back(rule + ".");
    }
    for (const auto& o : a.outputs) spec.flags.push_back({o.flag, Takes::Value, "F", "write " + o.help});
    for (const auto& f : a.fields)
        spec.flags.push_back({flag_of(f.name), Takes::Value, placeholder(f.kind), f.help, cli_text(f.default_value, f.kind)});
    spec.flags.push_back(storage_flag());
    return spec;
}

// The request the flags ask for: each given flag's value in its field's kind; the rest is left to the defaults.
Json request_from(const Args& args, const AnalysisSpec& a) {
    Json request = Json::object();
    for (const auto& f : a.fields) {
        const std::string flag = flag_of(f.name);
        if (!args.has(flag)) continue;
        const std::string text = args.str(flag);
        switch (f.kind) {
            case FieldKind::Int: request[f.name] = args.integer(flag, 0, -2147483647, 2147483647); break;
            case FieldKind::Number: request[f.name] = args.number(flag, 0); break;
            case FieldKind::Text: request[f.name] = text; break;
            case FieldKind::IntList: request[f.name] = args.int_list(flag, {}); break;
            case FieldKind::NumberList: request[f.name] = args.number_list(flag, {}); break;
            case FieldKind::Heads: request[f.name] = heads_to_json(parse_head_list(text, "--" + flag)); break;  // checked by the table
            case FieldKind::Bool:
                if (text != "true" && text != "false") throw Error("attnlab analyze " + a.name + ": --" + flag + " must be true or false");
                request[f.name] = text == "true";
                break;
        }
    }
    return request;
}

// Progress on stderr: at most about 20 lines a phase, with the time left in the phase.
Progress progress_printer() {
    struct Phase {
        std::string what;
        std::chrono::steady_clock::time_point start;
    };
    auto phase = std::make_shared<Phase>();
    return [phase](int done, int total, const std::string& what) {
        if (what != phase->what) *phase = {what, std::chrono::steady_clock::now()};
        if (total <= 1 || (done % std::max(1, total / 20) != 0 && done != total)) return;
        const double elapsed = seconds_since(phase->start);
        say(what + " " + std::to_string(done) + "/" + std::to_string(total) + " done (" +
            std::to_string(static_cast<long>(elapsed / done * (total - done))) + " s left)");
    };
}

// The report with "model" (the --model argument) after "analysis", as the page has its model name there.
void print_report(const Json& report, const Args& args) {
    Json out;
    out["analysis"] = report["analysis"];
    out["model"] = args.str("model");
    for (const auto& [key, value] : report.items())
        if (key != "analysis") out[key] = value;
    print_json(out);
}

}  // namespace

const CommandSpec& analyze_spec(const std::string& name) {
    static std::map<std::string, CommandSpec> specs;
    const AnalysisSpec& a = find_analysis(name);
    auto it = specs.find(a.name);
    if (it == specs.end()) it = specs.emplace(a.name, command_of(a)).first;
    return it->second;
}

void cmd_analyze(const Argv& argv) {
    std::string names;
    for (const auto& a : analyses()) names += (names.empty() ? "" : ", ") + a.name;
    if (argv.empty() || argv[0].rfind("--", 0) == 0) throw Error("attnlab analyze: name an analysis: " + names);
    const AnalysisSpec& a = find_analysis(argv[0]);
    const CommandSpec& spec = analyze_spec(a.name);
    const Argv rest(argv.begin() + 1, argv.end());
    const Args args(rest, spec);
    const Checkpoint ck = load_model_argument(args, !a.backward);

    AnalysisInputs inputs;
    inputs.model_name = model_folder_name(args.str("model"));
    std::vector<SharedBytes> kept;  // the files the Bytes inputs view
    std::map<std::string, int> given;
    for (const auto& in : a.inputs) {
        if (in.flag == "text" && in.kind == InputKind::Texts) {
            const std::vector<std::string> files = args.list("text-file");
            if (args.has("text") == !files.empty())
                throw Error("attnlab " + spec.name + ": give --text S or --text-file F [F ...], not both and not neither");
            if (args.has("text")) inputs.texts.push_back(ck.tokenizer.encode(args.str("text")));
            for (const auto& f : files) inputs.texts.push_back(ck.tokenizer.encode(read_text(f)));
            continue;
        }
        if (in.flag == "text") {
            inputs.texts.push_back(ck.tokenizer.encode(text_argument(args, spec.name)));
            continue;
        }
        if (!args.has(in.flag)) continue;
        ++given[in.group];
        const std::string path = args.str(in.flag);
        if (in.kind == InputKind::Bytes) {
            kept.push_back(map_file(path));
            inputs.bytes[in.name] = kept.back().bytes;
        } else if (in.kind == InputKind::Corpus) {
            inputs.corpora[in.name] = ck.tokenizer.encode(read_text(path));
        } else {
            inputs.texts.push_back(ck.tokenizer.encode(read_text(path)));
        }
    }
    for (const auto& [group, members] : input_groups(a))
        if (given[group] != 1) throw Error("attnlab " + spec.name + ": " + group_rule(members));
    for (const auto& o : a.outputs)
        if (args.has(o.flag)) inputs.outputs.insert(o.name);

    const AnalysisOutput out = run_analysis(a, ck.model, inputs, request_from(args, a), NameStyle::Flag, progress_printer());
    for (const auto& o : a.outputs)
        if (args.has(o.flag)) {
            const auto& bytes = out.files.at(o.name);
            write_file(args.str(o.flag), bytes.data(), bytes.size());
        }
    print_report(out.report, args);
}

}  // namespace attnlab::cli
