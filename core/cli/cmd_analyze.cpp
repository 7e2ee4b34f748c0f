#include <chrono>
#include <iostream>

#include "analysis/report_json.hpp"
#include "analysis/selectivity.hpp"
#include "analysis/sensitivity.hpp"
#include "analysis/windows.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"

namespace attnlab::cli {
namespace {

Json windows_json(const std::vector<Window>& windows) {
    Json out = Json::array();
    for (const auto& w : windows) out.push_back({{"start", w.start}, {"length", w.length}});
    return out;
}

int max_tokens_argument(const Args& args, const Config& c, int fallback) {
    return args.integer("max-tokens", std::min(fallback, c.n_positions), 2, c.n_positions);
}

void analyze_selectivity(const Argv& argv) {
    const Args args(argv, "analyze selectivity",
                    {"model", "text", "text-file", "k", "eps", "max-tokens", "temperature", "heads"});
    const Checkpoint ck = load_model_argument(args);
    const Config& c = ck.model.config;
    const std::vector<int> ids = ids_argument(args, ck.tokenizer, "analyze selectivity", false);
    if (ids.empty()) throw Error("no tokens to analyse: the text is empty");

    SelectivityOptions o;
    o.ks = args.int_list("k", o.ks);
    for (int k : o.ks)
        if (k < 1) throw Error("attnlab analyze selectivity: every --k must be >= 1");
    o.eps = args.number("eps", o.eps);
    if (!(o.eps > 0 && o.eps < 1)) throw Error("attnlab analyze selectivity: --eps must be in (0, 1)");
    if (args.has("heads")) o.detail = parse_heads(args.str("heads"), c, "--heads");
    const int max_tokens = max_tokens_argument(args, c, c.n_positions);
    const auto windows = split_windows(static_cast<int>(ids.size()), max_tokens);

    ForwardOptions fo;
    fo.normaliser = softmax_normaliser(static_cast<float>(args.number("temperature", 1.0)));
    fo.keep_logits = KeepLogits::None;
    std::vector<HeadRows> rows;
    fo.observer = [&](const HeadView& v) { rows.push_back(head_selectivity(v, o)); };
    Mean loss;
    for (std::size_t w = 0; w < windows.size(); ++w) {
        const std::vector<int> window(ids.begin() + windows[w].start, ids.begin() + windows[w].start + windows[w].length);
        loss.add(forward(ck.model, window, fo).loss);
        if (windows.size() > 1) std::cerr << "attnlab: window " << w + 1 << "/" << windows.size() << " done\n";
    }

    Json out;
    out["analysis"] = "selectivity";
    out["model"] = args.str("model");
    out["tokens"] = ids.size();
    out["max_tokens"] = max_tokens;
    out["windowed"] = windows.size() > 1;
    out["windows"] = windows_json(windows);
    out["temperature"] = fo.normaliser.temperature;
    out["loss"] = number_json(loss.mean());
    out.update(selectivity_json(summarise_selectivity(rows, c, o), o));
    print_json(out);
}

std::vector<double> temperatures_argument(const Args& args) {
    const std::string spec = args.str("temperatures", "0.05:5:16");
    double from = 0, to = 0;
    int count = 0;
    char tail = 0;
    if (std::sscanf(spec.c_str(), "%lf:%lf:%d%c", &from, &to, &count, &tail) != 3 || count < 1 || count > 1000)
        throw Error("attnlab analyze sensitivity: --temperatures must be FROM:TO:COUNT, e.g. 0.05:5:16 (got '" + spec + "')");
    return log_spaced(from, to, count);
}

void analyze_sensitivity(const Argv& argv) {
    const Args args(argv, "analyze sensitivity", {"model", "text", "text-file", "temperatures", "max-tokens", "fd-epsilon"});
    const Checkpoint ck = load_model_argument(args);
    std::vector<int> ids = ids_argument(args, ck.tokenizer, "analyze sensitivity", false);
    const std::vector<double> temperatures = temperatures_argument(args);
    SensitivityOptions o;
    o.fd_epsilon = args.number("fd-epsilon", o.fd_epsilon);
    const int max_tokens = max_tokens_argument(args, ck.model.config, 128);
    const std::size_t total = ids.size();
    if (total < 2) throw Error("attnlab analyze sensitivity: the text must be at least 2 tokens (it has " + std::to_string(total) + ")");
    if (static_cast<int>(ids.size()) > max_tokens) ids.resize(static_cast<std::size_t>(max_tokens));

    std::vector<SensitivityPoint> points;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < temperatures.size(); ++i) {
        points.push_back(sensitivity_at(ck.model, ids, temperatures[i], o));
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cerr << "attnlab: T = " << temperatures[i] << " done (" << i + 1 << "/" << temperatures.size() << ", "
                  << static_cast<int>(elapsed / (i + 1) * (temperatures.size() - i - 1)) << " s left)\n";
    }
    Json out;
    out["analysis"] = "sensitivity";
    out["model"] = args.str("model");
    out["tokens"] = ids.size();
    out["text_tokens"] = total;
    out["max_tokens"] = max_tokens;
    if (total > ids.size())
        out["note"] = "analysed the first " + std::to_string(ids.size()) + " of " + std::to_string(total) +
                      " tokens (raise --max-tokens, up to n_positions, to use more)";
    out["fd_epsilon"] = o.fd_epsilon;
    out.update(sensitivity_json(points));
    print_json(out);
}

}  // namespace

void cmd_analyze(const Argv& argv) {
    if (argv.empty()) throw Error("attnlab analyze: name an analysis: selectivity or sensitivity");
    const Argv rest(argv.begin() + 1, argv.end());
    if (argv[0] == "selectivity") analyze_selectivity(rest);
    else if (argv[0] == "sensitivity") analyze_sensitivity(rest);
    else throw Error("attnlab analyze: unknown analysis '" + argv[0] + "' (selectivity, sensitivity)");
}

}  // namespace attnlab::cli
