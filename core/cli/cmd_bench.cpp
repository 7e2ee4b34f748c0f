#include <sys/resource.h>

#include <chrono>
#include <ctime>
#include <iostream>

#include "analysis/lookup.hpp"
#include "analysis/paper.hpp"
#include "analysis/selectivity.hpp"
#include "analysis/sensitivity_report.hpp"
#include "attention/hull_index.hpp"
#include "cli/args.hpp"
#include "cli/checkpoint_dir.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"
#include "model/gpt2.hpp"
#include "model/packed_weights.hpp"
#include "model/random_init.hpp"
#include "util/clock.hpp"
#include "util/gemm.hpp"
#include "util/parallel.hpp"
#include "util/rng.hpp"

namespace attnlab::cli {
namespace {

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// The instruction set this binary was compiled for: the -march level and the vector extensions it enables.
std::string built_for() {
    std::string s = ATTNLAB_MARCH;
    const char* extensions =
#if defined(__AVX512F__)
        "AVX-512, AVX2, FMA";
#elif defined(__AVX2__) && defined(__FMA__)
        "AVX2, FMA";
#elif defined(__AVX__)
        "AVX";
#elif defined(__SSE4_2__)
        "SSE4.2";
#elif defined(__SSE2__)
        "SSE2";
#else
        "no x86 vector extensions";
#endif
    return s + " (" + extensions + "; Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
           std::to_string(EIGEN_MINOR_VERSION) + ": " + Eigen::SimdInstructionSetsInUse() + ")";
}

// Best of `repeats` timings of f().
template <class F>
double best_seconds(int repeats, F f) {
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        f();
        best = std::min(best, seconds_since(start));
    }
    return best;
}

// GFLOP/s of Eigen's sgemm and of gemm_f32 on each kernel this CPU runs, on one thread, at the forward pass's
// shapes for T tokens and C channels: the MLP's (T, C) x (C, 4C) and the attention's (T, C) x (C, 3C) with the
// weights K x N, and one vocabulary chunk of the output layer, (T, C) x (1024, C)^T (N x K).
nlohmann::ordered_json bench_gemm(int T, int C, int repeats) {
    struct Shape { const char* name; int n; BLayout layout; };
    const Shape shapes[] = {{"mlp", 4 * C, BLayout::KxN}, {"qkv", 3 * C, BLayout::KxN}, {"vocab_chunk", 1024, BLayout::NxK}};
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    const int eigen_threads = Eigen::nbThreads();
    Eigen::setNbThreads(1);
    for (const Shape& s : shapes) {
        const MatRM a = MatRM::Random(T, C);
        const MatRM b = s.layout == BLayout::KxN ? MatRM(MatRM::Random(C, s.n)) : MatRM(MatRM::Random(s.n, C));
        MatRM c(T, s.n);
        const double flops = 2.0 * T * C * s.n;
        auto& row = out[std::string(s.name) + " " + std::to_string(T) + "x" + std::to_string(C) + "x" + std::to_string(s.n)];
        row["eigen"] = flops / best_seconds(repeats, [&] {
            if (s.layout == BLayout::KxN) c.noalias() = a * b;
            else c.noalias() = a * b.transpose();
        }) / 1e9;
        for (const GemmKernel k : {GemmKernel::Vec128, GemmKernel::Avx2, GemmKernel::Avx512}) {
            if (!gemm_kernel_available(k)) continue;
            row[gemm_kernel_name(k)] = flops / best_seconds(repeats, [&] {
                gemm_f32_on(k, T, s.n, C, a.data(), C, b.data(), static_cast<int>(b.cols()), s.layout, c.data(), s.n);
            }) / 1e9;
        }
    }
    Eigen::setNbThreads(eigen_threads);
    return out;
}

Config shape_config(const std::string& shape) {
    Config c;
    c.vocab_size = 50257;
    c.n_positions = 1024;
    if (shape == "gpt2") { c.n_layer = 12; c.n_head = 12; c.n_embd = 768; }
    else if (shape == "gpt2-medium") { c.n_layer = 24; c.n_head = 16; c.n_embd = 1024; }
    else if (shape == "smollm2-135m") {  // Llama: 30 x 9 heads (3 key/value heads) x 576, SwiGLU 1536, vocabulary 49,152
        c.n_layer = 30; c.n_head = 9; c.n_kv_head = 3; c.n_embd = 576; c.n_inner = 1536; c.vocab_size = 49152;
        set_family(c, Family::Llama);
        c.layer_norm_epsilon = 1e-5f; c.rope_theta = 100000; c.tied_head = true;
    } else if (shape == "pythia-160m") {  // GPT-NeoX: 12 x 12 heads x 768, rotary 25%, parallel residual, vocabulary 50,304
        c.n_layer = 12; c.n_head = 12; c.n_embd = 768; c.vocab_size = 50304;
        set_family(c, Family::GptNeoX);
    } else throw Error("attnlab bench: --shape must be gpt2, gpt2-medium, smollm2-135m or pythia-160m (got '" + shape + "')");
    return c;
}

// Hard-max by the hull index against a linear scan, n = 10^2 .. 10^6 keys: random normal keys (few hull
// vertices) and keys on a circle in shuffled order (every key a vertex: the O(log n) worst case). Every scanned
// query's answer is checked against the scan (mismatches are counted and must be 0).
void bench_hull(int repeats) {
    Rng rng(17);
    Json rows = Json::array();
    for (const std::string keys : {"normal", "circle"})
    for (int n : {100, 1000, 10000, 100000, 1000000}) {
        std::vector<double> kx(static_cast<std::size_t>(n)), ky(kx.size());
        for (int i = 0; i < n; ++i) {
            if (keys == "normal") { kx[i] = rng.normal(); ky[i] = rng.normal(); continue; }
            const double a = 2 * M_PI * static_cast<double>((static_cast<long long>(i) * 7919) % n) / n;
            kx[i] = std::cos(a);
            ky[i] = std::sin(a);
        }
        HullIndex index;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) index.insert(kx[i], ky[i], i);
        const double insert_s = seconds_since(start);
        const int queries = 20000, scanned = std::max(20, std::min(queries, 200000000 / n));
        std::vector<double> qx(queries), qy(queries);
        for (int i = 0; i < queries; ++i) { qx[i] = rng.normal(); qy[i] = rng.normal(); }
        long sink = 0;
        const double hull_s = best_seconds(repeats, [&] { for (int i = 0; i < queries; ++i) sink += index.argmax(qx[i], qy[i]); });
        int mismatches = 0;
        const double scan_s = best_seconds(1, [&] {
            for (int i = 0; i < scanned; ++i) {
                int best = 0;
                double value = qx[i] * kx[0] + qy[i] * ky[0];
                for (int j = 1; j < n; ++j) {
                    const double v = qx[i] * kx[j] + qy[i] * ky[j];
                    if (v > value) { value = v; best = j; }
                }
                const int got = index.argmax(qx[i], qy[i]);
                mismatches += qx[i] * kx[got] + qy[i] * ky[got] != value;
                sink += best;
            }
        });
        const double hull_ns = hull_s / queries * 1e9, scan_ns = scan_s / scanned * 1e9;
        rows.push_back({{"keys", keys}, {"n", n}, {"insert_ns_per_key", insert_s / n * 1e9}, {"hull_query_ns", hull_ns},
                        {"scan_query_ns", scan_ns}, {"speedup", scan_ns / hull_ns}, {"scanned_queries", scanned},
                        {"mismatches", mismatches}, {"checksum", sink % 1000}});
    }
    // the memory lookup: parabolic keys, one write and one read per step, every read checked (docs/science.md section 6)
    Json lookups = Json::array();
    for (int n : {100, 1000, 10000, 100000, 1000000}) {
        std::vector<int> values(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = i * 7 + 3;
        const LookupRun run = run_lookup(values, n, 50, 17, 0);
        lookups.push_back({{"n", n}, {"hull_ns_per_step", run.hull_ns_per_step}, {"scan_ns_per_read", run.scan_ns_per_read},
                           {"speedup", run.scan_ns_per_read / run.hull_ns_per_step}, {"exact_reads", run.exact},
                           {"scan_checked", run.scan_checked}, {"scan_agrees", run.scan_agrees}});
    }
    print_json(Json{{"benchmark", "hard-max: hull index vs linear scan, 2-D keys"}, {"rows", rows},
                    {"memory_lookup", lookups}});
}

}  // namespace

const CommandSpec& bench_spec() {
    static const CommandSpec spec{
        "bench", "times the forward pass (and an analysis) on random tokens beside an Eigen sgemm of the model's main shape",
        {{"model", FlagSpec::Takes::Value, "DIR", "a checkpoint folder to time"},
         {"shape", FlagSpec::Takes::Value, "gpt2|gpt2-medium|smollm2-135m|pythia-160m", "random weights of this shape, built in memory (instead of --model)", "gpt2"},
         {"tokens", FlagSpec::Takes::Value, "N", "random tokens per pass (default: 128, or the model's context if shorter)"},
         {"threads", FlagSpec::Takes::Value, "N", "threads: the forward pass's (parallel_for) and Eigen's", "1"},
         {"repeats", FlagSpec::Takes::Value, "N", "timings taken; the best counts", "3"},
         {"text-file", FlagSpec::Takes::Value, "F", "also time the tokenizer's encode on this text"},
         {"analysis", FlagSpec::Takes::Value, "selectivity|sensitivity|paper|gemm|hull", "also time this analysis (gemm: the matrix-product kernels at the model's shapes, 1 thread; hull: the hard-max index and the parabolic memory lookup, no model)"},
         {"temperatures", FlagSpec::Takes::Value, "N", "with --analysis sensitivity: temperatures in the sweep", "16"},
         storage_flag()},
        {}};
    return spec;
}

void cmd_bench(const Argv& argv) {
    const Args args(argv, bench_spec());
    const int threads = args.integer("threads", 1, 256);
    const int repeats = args.integer("repeats", 1, 1000);
    Eigen::setNbThreads(threads);
    set_compute_threads(threads);  // the forward pass's column blocks, heads and vocabulary chunks
    if (args.str("analysis") == "hull") return bench_hull(repeats);

    // as analyze loads the model: packed for the forward pass, unless the backward pass runs (sensitivity)
    const bool pack = args.str("analysis") != "sensitivity";
    const auto load_start = std::chrono::steady_clock::now();
    Model model;
    std::string source;
    if (args.has("model")) {
        if (args.has("shape")) throw Error("attnlab bench: give --model or --shape, not both");
        source = args.str("model");
        model = load_checkpoint_dir(source, load_options_argument(args), pack).model;
    } else {
        source = "random " + args.str("shape");
        model.config = shape_config(args.str("shape"));
        auto params = std::make_shared<std::vector<float>>(random_params(model.config, RandomInit{}));
        model.weights = weights_over(model.config, params->data(), params);
        if (pack) pack_for_gemm(model.weights);  // as a checkpoint is (here beside the parameters)
    }
    const double load_seconds = seconds_since(load_start);
    const Config& c = model.config;
    const int T = args.integer("tokens", std::min(128, c.n_positions), 1, c.n_positions);

    Rng rng(7);
    std::vector<int> ids(static_cast<std::size_t>(T));
    for (auto& id : ids) id = static_cast<int>(rng.below(static_cast<std::uint64_t>(c.vocab_size)));
    // The timed forward pass computes the logits of every position, as onnxruntime's session of the same model
    // returns them (scripts/onnx/bench-ort.mjs), and nothing more; the loss comes from one more, untimed pass.
    ForwardOptions options;
    options.keep_logits = KeepLogits::None;
    options.compute_loss = false;
    options.on_logits = [](int, const float*) {};  // the output layer runs for these, every position's logits
    // sgemm at the model's dominant shape: (T, C) x (C, 4C), the MLP's first matmul. Forward passes and
    // sgemms alternate so that both see the same machine load; the best time of each counts.
    MatRM a = MatRM::Random(T, c.n_embd), b = MatRM::Random(c.n_embd, 4 * c.n_embd), out(T, 4 * c.n_embd);
    double forward_s = 1e300, gemm_s = 1e300, forward_wall = 0, forward_cpu = 0;
    for (int r = 0; r < repeats; ++r) {
        const std::clock_t cpu_start = std::clock();  // the process's CPU time, every thread's
        const double wall = best_seconds(1, [&] { forward(model, ids, options); });
        forward_cpu += static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
        forward_wall += wall;
        forward_s = std::min(forward_s, wall);
        gemm_s = std::min(gemm_s, best_seconds(3, [&] { out.noalias() = a * b; }));
    }
    const double loss = forward(model, ids, ForwardOptions{}).loss;  // refuses non-finite logits (through the loss)
    const double flops = forward_flops(c, T);
    const double gemm_flops = 2.0 * T * c.n_embd * 4.0 * c.n_embd;

    nlohmann::ordered_json j;
    j["model"] = source;
    j["family"] = family_name(c.family);
    j["n_layer"] = c.n_layer;
    j["n_head"] = c.n_head;
    j["n_embd"] = c.n_embd;
    j["tokens"] = T;
    j["threads"] = compute_threads();
    j["built_for"] = built_for();
    j["gemm_kernel"] = gemm_kernel_name(best_gemm_kernel());  // the forward pass's GEMM, chosen at run time from the CPU
    j["load_seconds"] = load_seconds;
    j["forward_timed"] = "the logits of every position (no loss)";
    j["forward_seconds"] = forward_s;
    j["forward_cpu_over_wall"] = forward_cpu / forward_wall;  // about the threads the forward passes kept busy
    j["tokens_per_second"] = T / forward_s;
    j["forward_gflops"] = flops / forward_s / 1e9;
    j["sgemm_shape"] = std::to_string(T) + "x" + std::to_string(c.n_embd) + "x" + std::to_string(4 * c.n_embd);
    j["sgemm_gflops"] = gemm_flops / gemm_s / 1e9;
    j["forward_over_sgemm"] = (flops / forward_s) / (gemm_flops / gemm_s);
    j["loss"] = number_or_null(loss);
    if (args.str("analysis") == "selectivity") {
        // the forward pass with the selectivity observer on every head, then the summary, against forward alone
        const SelectivityOptions so;
        double summarise_s = 0;
        const double with_s = best_seconds(repeats, [&] {
            std::vector<HeadRows> rows;
            ForwardOptions fo;
            fo.observer = [&](const HeadView& v) { rows.push_back(head_selectivity(v, so)); };
            forward(model, ids, fo);
            const auto start = std::chrono::steady_clock::now();
            summarise_selectivity(rows, c, so);
            summarise_s = seconds_since(start);
        });
        j["selectivity_seconds"] = with_s;
        j["selectivity_summary_seconds"] = summarise_s;
        j["selectivity_over_forward"] = with_s / forward_s;
    } else if (args.str("analysis") == "sensitivity") {
        // analyze sensitivity's default sweep over N temperatures: forward + backward at each, and the
        // finite-difference check's perturbed forward at the default number of them
        const int count = args.integer("temperatures", 1, 1000);
        SensitivityRequest request;
        request.temperatures = "0.05:5:" + std::to_string(count);
        request.max_tokens = T;
        const auto start = std::chrono::steady_clock::now();
        sensitivity_report(model, ids, request);
        const double sweep_s = seconds_since(start);
        j["sensitivity_fd_checks"] = std::min(count, request.fd_checks);
        j["sensitivity_temperatures"] = count;
        j["sensitivity_seconds"] = sweep_s;
        j["sensitivity_seconds_per_temperature"] = sweep_s / count;
        j["sensitivity_per_temperature_over_forward"] = sweep_s / count / forward_s;
    } else if (args.str("analysis") == "paper") {
        // the paper's measurements (defaults: top-n 1..32, lengths 16.. T, 12 temperatures) on the same tokens
        const double paper_s = best_seconds(repeats, [&] { paper_report(model, {ids}, PaperRequest{}); });
        j["paper_seconds"] = paper_s;
        j["paper_over_forward"] = paper_s / forward_s;
    } else if (args.str("analysis") == "gemm") {
        j["gemm_gflops_1_thread"] = bench_gemm(T, c.n_embd, std::max(3, repeats));
    } else if (args.has("analysis")) {
        throw Error("attnlab bench: --analysis must be selectivity, sensitivity, paper, gemm or hull");
    }
    if (args.has("text-file")) {
        // encode throughput of a fresh tokenizer (empty piece cache), best of `repeats`
        const std::string text = read_text(args.str("text-file"));
        const auto files = read_checkpoint_dir(args.has("model") ? args.str("model") : ATTNLAB_TOKENIZER_DIR, true);
        const auto load_start = std::chrono::steady_clock::now();
        const Tokenizer loaded = load_tokenizer(files);
        const double tokenizer_load_s = seconds_since(load_start);
        std::size_t count = 0;
        double encode_s = 1e300;
        for (int r = 0; r < repeats; ++r) {
            const Tokenizer fresh = loaded;  // empty piece cache each time
            const auto start = std::chrono::steady_clock::now();
            count = fresh.encode(text).size();
            encode_s = std::min(encode_s, seconds_since(start));
        }
        j["tokenizer_text_bytes"] = text.size();
        j["tokenizer_tokens"] = count;
        j["tokenizer_load_seconds"] = tokenizer_load_s;
        j["tokenizer_encode_seconds"] = encode_s;
        j["tokenizer_encode_mb_per_second"] = text.size() / 1e6 / encode_s;
    }
    j["peak_rss_mib"] = peak_rss_mib();
    print_json(j);
}

}  // namespace attnlab::cli
