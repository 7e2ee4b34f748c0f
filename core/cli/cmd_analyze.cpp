#include <chrono>
#include <iostream>

#include "analysis/conditioning.hpp"
#include "analysis/constant_attention.hpp"
#include "analysis/hardmax.hpp"
#include "analysis/paper.hpp"
#include "analysis/reports.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"

namespace attnlab::cli {
namespace {

int max_tokens_argument(const Args& args, const Config& c, int fallback) {
    return args.integer("max-tokens", std::min(fallback, c.n_positions), 2, c.n_positions);
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

void analyze_selectivity(const Argv& argv) {
    const Args args(argv, "analyze selectivity",
                    {"model", "text", "text-file", "k", "eps", "max-tokens", "temperature", "heads", "storage", "normaliser", "normaliser-heads"});
    const Checkpoint ck = load_model_argument(args);
    const Config& c = ck.model.config;
    const std::vector<int> ids = ids_argument(args, ck.tokenizer, "analyze selectivity", false);

    SelectivityRequest r;
    r.options.ks = args.int_list("k", r.options.ks);
    for (int k : r.options.ks)
        if (k < 1) throw Error("attnlab analyze selectivity: every --k must be >= 1");
    r.options.eps = args.number("eps", r.options.eps);
    if (!(r.options.eps > 0 && r.options.eps < 1)) throw Error("attnlab analyze selectivity: --eps must be in (0, 1)");
    if (args.has("heads")) r.options.detail = parse_heads(args.str("heads"), c, "--heads");
    r.temperature = args.number("temperature", 1.0);
    r.max_tokens = max_tokens_argument(args, c, c.n_positions);
    r.normaliser = normaliser_argument(args, c);
    print_report(selectivity_report(ck.model, ids, r,
                                    [](int done, int total, const std::string&) {
                                        if (total > 1) std::cerr << "attnlab: window " << done << "/" << total << " done\n";
                                    }),
                 args);
}

void analyze_sensitivity(const Argv& argv) {
    const Args args(argv, "analyze sensitivity", {"model", "text", "text-file", "temperatures", "max-tokens", "fd-epsilon", "storage"});
    const Checkpoint ck = load_model_argument(args);
    const std::vector<int> ids = ids_argument(args, ck.tokenizer, "analyze sensitivity", false);
    SensitivityRequest r;
    try {
        r.temperatures = parse_temperature_range(args.str("temperatures", "0.05:5:16"));
    } catch (const Error& e) {
        throw Error(std::string("attnlab analyze sensitivity: --") + e.what());
    }
    r.options.fd_epsilon = args.number("fd-epsilon", r.options.fd_epsilon);
    r.max_tokens = max_tokens_argument(args, ck.model.config, 128);
    const auto start = std::chrono::steady_clock::now();
    print_report(sensitivity_report(ck.model, ids, r,
                                    [&](int done, int total, const std::string&) {
                                        const double elapsed =
                                            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                                        std::cerr << "attnlab: T = " << r.temperatures[static_cast<std::size_t>(done - 1)]
                                                  << " done (" << done << "/" << total << ", "
                                                  << static_cast<int>(elapsed / done * (total - done)) << " s left)\n";
                                    }),
                 args);
}

void analyze_paper(const Argv& argv) {
    const Args args(argv, "analyze paper", {"model", "text", "top-n", "rho", "lengths", "delta", "temperatures", "max-tokens", "storage"},
                    {}, {"text-file"});
    const Checkpoint ck = load_model_argument(args);
    const std::vector<std::string> files = args.list("text-file");
    if (args.has("text") == !files.empty())
        throw Error("attnlab analyze paper: give --text S or --text-file F [F ...], not both and not neither");
    std::vector<std::vector<int>> texts;
    if (args.has("text")) texts.push_back(ck.tokenizer.encode(args.str("text")));
    for (const auto& f : files) texts.push_back(ck.tokenizer.encode(read_text(f)));
    PaperRequest r;
    r.top_ns = args.int_list("top-n", r.top_ns);
    r.rhos = args.number_list("rho", r.rhos);
    r.lengths = args.int_list("lengths", {});
    r.delta = args.number("delta", r.delta);
    r.model_name = model_folder_name(args.str("model"));
    if (args.has("temperatures")) {
        try {
            r.temperatures = parse_temperature_range(args.str("temperatures"));
        } catch (const Error& e) {
            throw Error(std::string("attnlab analyze paper: --") + e.what());
        }
    }
    r.max_tokens = max_tokens_argument(args, ck.model.config, ck.model.config.n_positions);
    print_report(paper_report(ck.model, texts, r,
                              [](int done, int total, const std::string&) {
                                  if (total > 1) std::cerr << "attnlab: window " << done << "/" << total << " done\n";
                              }),
                 args);
}

void analyze_hardmax(const Argv& argv) {
    const Args args(argv, "analyze hardmax", {"model", "text", "text-file", "max-tokens", "storage"});
    const Checkpoint ck = load_model_argument(args);
    const std::vector<int> ids = ids_argument(args, ck.tokenizer, "analyze hardmax", false);
    print_report(hardmax_report(ck.model, ids, max_tokens_argument(args, ck.model.config, ck.model.config.n_positions)), args);
}

void analyze_conditioning(const Argv& argv) {
    const Args args(argv, "analyze conditioning", {"model", "text", "text-file", "lengths", "max-tokens", "storage"});
    const Checkpoint ck = load_model_argument(args);
    const std::vector<int> ids = ids_argument(args, ck.tokenizer, "analyze conditioning", false);
    ConditioningRequest r;
    r.lengths = args.int_list("lengths", {});
    r.max_tokens = max_tokens_argument(args, ck.model.config, ck.model.config.n_positions);
    print_report(conditioning_report(ck.model, ids, r), args);
}

// analyze constant --model DIR (--corpus F | --averages F) --eval F [--out F] [--window N] [--max-windows N] [--eval-windows N]
void analyze_constant(const Argv& argv) {
    const Args args(argv, "analyze constant", {"model", "corpus", "averages", "eval", "out", "window", "max-windows", "eval-windows", "storage"});
    const Checkpoint ck = load_model_argument(args);
    const Config& c = ck.model.config;
    if (args.has("corpus") == args.has("averages"))
        throw Error("attnlab analyze constant: give --corpus F (to average over) or --averages F (saved by --out), one of them");
    ConstantRequest r;
    r.window = args.integer("window", c.n_positions, 2, c.n_positions);
    r.max_windows = args.integer("max-windows", r.max_windows, 1, 1 << 30);
    r.eval_windows = args.integer("eval-windows", r.eval_windows, 1, 1 << 30);
    ConstantAttention avg;
    double averaging_s = 0;
    if (args.has("corpus")) {
        const auto start = std::chrono::steady_clock::now();
        avg = average_attention(ck.model, ck.tokenizer.encode(read_text(args.str("corpus"))), r.window, r.max_windows,
                                [](int done, int total, const std::string&) {
                                    std::cerr << "attnlab: averaged window " << done << "/" << total << "\n";
                                });
        averaging_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } else {
        const SharedBytes bytes = map_file(args.str("averages"));
        avg = read_constant_attention(bytes.bytes, c, args.str("averages"));
    }
    if (args.has("out")) {
        const auto bytes = constant_attention_safetensors(avg);
        write_file(args.str("out"), bytes.data(), bytes.size());
    }
    Json report = constant_attention_report(ck.model, avg, ck.tokenizer.encode(read_text(args.required("eval"))), r,
                                            [](int done, int total, const std::string&) {
                                                if (done % 8 == 0 || done == total)
                                                    std::cerr << "attnlab: evaluation " << done << "/" << total << "\n";
                                            });
    if (averaging_s > 0) report["averaging_tokens_per_second"] = avg.tokens / averaging_s;
    print_report(report, args);
}

}  // namespace

void cmd_analyze(const Argv& argv) {
    if (argv.empty()) throw Error("attnlab analyze: name an analysis: selectivity, sensitivity, paper, hardmax, conditioning or constant");
    const Argv rest(argv.begin() + 1, argv.end());
    if (argv[0] == "selectivity") analyze_selectivity(rest);
    else if (argv[0] == "sensitivity") analyze_sensitivity(rest);
    else if (argv[0] == "paper") analyze_paper(rest);
    else if (argv[0] == "hardmax") analyze_hardmax(rest);
    else if (argv[0] == "conditioning") analyze_conditioning(rest);
    else if (argv[0] == "constant") analyze_constant(rest);
    else throw Error("attnlab analyze: unknown analysis '" + argv[0] + "' (selectivity, sensitivity, paper, hardmax, conditioning, constant)");
}

}  // namespace attnlab::cli
