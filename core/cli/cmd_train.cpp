#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "analysis/heads.hpp"
#include "analysis/json.hpp"
#include "cli/args.hpp"
#include "cli/checkpoint_dir.hpp"
#include "cli/conditioning_log.hpp"
#include "cli/commands.hpp"
#include "cli/corpus_input.hpp"
#include "cli/files.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"
#include "io/checkpoint_writer.hpp"
#include "train/train_state.hpp"
#include "train/trainer.hpp"
#include "util/clock.hpp"
#include "util/parallel.hpp"

namespace attnlab::cli {
namespace {

std::string clock_text(double seconds) {
    char buf[32];
    const long s = static_cast<long>(seconds);
    std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", s / 3600, s / 60 % 60, s % 60);
    return buf;
}

struct HeadScore {
    int layer = 0, head = 0;
    double score = 0;
};

// The head with the most attention on token i - 1, over the same validation windows as the loss.
HeadScore strongest_previous_token_head(const Trainer& trainer, const std::vector<int>& val, int windows) {
    const int T = trainer.options().seq_len;
    const std::size_t n = std::min(val.size(), static_cast<std::size_t>(windows) * static_cast<std::size_t>(T));
    const std::vector<double> scores = previous_token_scores(trainer.model(), std::vector<int>(val.begin(), val.begin() + static_cast<long>(n)), T);
    const auto best = static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    const int NH = trainer.config().n_head;
    return {best / NH, best % NH, scores[static_cast<std::size_t>(best)]};
}

// A share of the windows, from --flag (default 0): a number in [0, 1].
float window_share(const Args& args, const std::string& flag, const char* meaning) {
    const auto share = static_cast<float>(args.number(flag));
    if (!(share >= 0 && share <= 1)) throw Error("attnlab train: --" + flag + " must be in [0, 1] (" + meaning + ")");
    return share;
}

// An initialisation scale from --flag (default 0: that initialisation is off): a number >= 0.
float init_scale(const Args& args, const std::string& flag, const char* off_means) {
    const auto scale = static_cast<float>(args.number(flag));
    if (!(scale >= 0)) throw Error("attnlab train: --" + flag + " must be >= 0 (0: " + off_means + ")");
    return scale;
}

// --attention softmax|spectral and --spectral-lambda, into the options.
void attention_flags(const Args& args, TrainOptions& o) {
    const std::string attention = args.str("attention");
    if (attention != "softmax" && attention != "spectral")
        throw Error("attnlab train: --attention must be softmax or spectral (W_Q, W_K, W_V used as W + lambda I), not '" +
                    attention + "'");
    o.spectral = attention == "spectral";
    if (o.spectral != args.has("spectral-lambda"))
        throw Error(o.spectral ? "attnlab train: --attention spectral needs --spectral-lambda L (lambda = L times each block's "
                                 "largest singular value at initialisation)"
                               : "attnlab train: --spectral-lambda goes with --attention spectral");
    if (o.spectral) o.spectral_lambda = static_cast<float>(args.number("spectral-lambda"));
    if (!(o.spectral_lambda >= 0 && o.spectral_lambda <= 1000))
        throw Error("attnlab train: --spectral-lambda must be in [0, 1000]");
}

using Takes = FlagSpec::Takes;

}  // namespace

const CommandSpec& train_spec() {
    static const CommandSpec spec{
        "train", "trains a GPT-2 from scratch and writes a Hugging Face checkpoint plus training_log.json",
        [] {
            const TrainOptions d;
            std::vector<FlagSpec> f = {corpus_flag(), {"out", Takes::Value, "DIR", "the folder to write", "", true}};
            for (const auto& s : shape_flags()) f.push_back(s);
            const std::vector<FlagSpec> rest = {
                {"steps", Takes::Value, "S", "optimizer steps", "", true},
                {"batch", Takes::Value, "B", "windows per step", std::to_string(d.batch)},
                {"seq-len", Takes::Value, "N", "tokens per window (default: --ctx)"},
                {"lr", Takes::Value, "X", "peak learning rate", number_text(d.lr)},
                {"min-lr", Takes::Value, "X", "learning rate at the end of the cosine (default: lr / 10)"},
                {"warmup", Takes::Value, "N", "linear warm-up steps (default: min(100, steps / 10 + 1))"},
                {"clip", Takes::Value, "X", "global gradient-norm clip (0: none)", number_text(d.clip)},
                {"weight-decay", Takes::Value, "X", "AdamW weight decay on matrices", number_text(d.adamw.weight_decay)},
                {"seed", Takes::Value, "S", "random seed (same seed and threads: byte-identical weights)", std::to_string(d.seed)},
                val_fraction_flag(), val_corpus_flag(),
                {"threads", Takes::Value, "N", "threads the batch is spread over", std::to_string(d.threads)},
                {"dtype", Takes::Value, "F32|F16|BF16", "storage type of the written weights", "F32"},
                {"eval-every", Takes::Value, "N", "steps between evaluations and saves (default: steps / 20)"},
                {"eval-windows", Takes::Value, "N", "validation windows per evaluation", "32"},
                {"attention", Takes::Value, "softmax|spectral", "spectral: W_Q, W_K, W_V used as W + lambda I (fixed)", "softmax"},
                {"spectral-lambda", Takes::Value, "L", "with --attention spectral: lambda = L times each block's largest singular value at init"},
                {"heldout", Takes::List, "FILE", "text files kept out of training and validation: their loss is measured once, at the end"},
                {"final-windows", Takes::Value, "N", "windows of the final validation and held-out losses (default: all)"},
                {"kappa-windows", Takes::Value, "N", "validation windows whose attention kappa each evaluation logs (0: no conditioning log)", "4"},
                tokenizer_flag(),
                {"init-std", Takes::Value, "S", "std of the random initial weights", number_text(d.init_std)},
                {"sinusoidal-positions", Takes::Value, "A", "wpe starts as sinusoids of amplitude A (0: random)", number_text(d.sinusoidal_positions)},
                {"sinusoid-top-frequency", Takes::Value, "F", "radians per position of the fastest sinusoid, in (0, pi]", number_text(d.sinusoid_top_frequency)},
                {"mimetic-qk", Takes::Value, "S", "W_K starts equal to W_Q ~ N(0, S) (0: independent)", number_text(d.mimetic_qk)},
                {"offset-heads", Takes::Value, "A", "layer 0's head h starts attending h + 1 tokens back (needs --sinusoidal-positions)", number_text(d.offset_heads)},
                {"repeat-fraction", Takes::Value, "F", "share of windows that end by repeating an earlier span", number_text(d.repeat_fraction)},
                {"echo-fraction", Takes::Value, "F", "share of windows made of (x, y, x) token triples", number_text(d.echo_fraction)},
                {"short-seq-len", Takes::Value, "S", "with --short-steps: the first steps' window length"},
                {"short-steps", Takes::Value, "K", "with --short-seq-len: how many first steps take short windows"},
                {"stop-after", Takes::Value, "K", "stop after step K of --steps (continue later with --resume)"},
                {"resume", Takes::Switch, "", "continue the run saved in --out (same flags and corpus)"}};
            f.insert(f.end(), rest.begin(), rest.end());
            return f;
        }(),
        {}};
    return spec;
}

void cmd_train(const Argv& argv) {
    const Args args(argv, train_spec());
    const std::string out_dir = args.required("out");
    const Config c = config_from_flags(args, "train");

    TrainOptions o;
    o.steps = args.integer("steps", 0, 1, 100000000);
    o.batch = args.integer("batch", o.batch, 1, 1 << 20);
    o.seq_len = args.integer("seq-len", c.n_positions, 2, c.n_positions);
    o.short_steps = args.integer("short-steps", 0, 0, o.steps);
    o.short_seq_len = args.integer("short-seq-len", 0, 2, o.seq_len);
    if ((o.short_steps > 0) != (o.short_seq_len > 0))
        throw Error("attnlab train: --short-steps and --short-seq-len go together (the first steps' windows and their length)");
    o.lr = static_cast<float>(args.number("lr", o.lr));
    o.min_lr = static_cast<float>(args.number("min-lr", o.lr / 10));
    o.warmup = args.integer("warmup", std::min(100, o.steps / 10 + 1), 0, 100000000);
    o.clip = static_cast<float>(args.number("clip", o.clip));
    o.adamw.weight_decay = static_cast<float>(args.number("weight-decay", o.adamw.weight_decay));
    o.seed = static_cast<std::uint64_t>(args.integer("seed", static_cast<int>(o.seed), 0, 2147483647));
    o.init_std = static_cast<float>(args.number("init-std", o.init_std));
    if (!(o.init_std > 0 && o.init_std <= 10)) throw Error("attnlab train: --init-std must be in (0, 10]");
    o.sinusoidal_positions = init_scale(args, "sinusoidal-positions", "random wpe");
    o.sinusoid_top_frequency = static_cast<float>(args.number("sinusoid-top-frequency", o.sinusoid_top_frequency));
    if (!(o.sinusoid_top_frequency > 0 && o.sinusoid_top_frequency <= 3.1416f))
        throw Error("attnlab train: --sinusoid-top-frequency must be in (0, pi] radians per position");
    o.mimetic_qk = init_scale(args, "mimetic-qk", "W_Q and W_K independent, like every matrix");
    o.offset_heads = init_scale(args, "offset-heads", "layer 0 like every layer");
    if (o.offset_heads > 0 && !(o.sinusoidal_positions > 0))
        throw Error("attnlab train: --offset-heads reads the position sinusoids: give --sinusoidal-positions too");
    o.repeat_fraction = window_share(args, "repeat-fraction", "the share of windows that end by repeating a span of themselves");
    o.echo_fraction = window_share(args, "echo-fraction", "the share of windows made of (x, y, x) token triples");
    o.threads = args.integer("threads", o.threads, 1, 256);
    attention_flags(args, o);
    const int kappa_windows = args.integer("kappa-windows", 0, 1 << 16);
    if (!(o.lr > 0) || !(o.min_lr >= 0)) throw Error("attnlab train: --lr must be > 0 and --min-lr >= 0");
    const double val_fraction = args.number("val-fraction");
    const DType dtype = float_dtype(args.str("dtype"), "attnlab train: --dtype");
    const int eval_every = args.integer("eval-every", std::max(1, o.steps / 20), 1, 100000000);
    const int eval_windows = args.integer("eval-windows", 1, 1 << 20);
    const std::string tok_dir = args.str("tokenizer");
    Eigen::setNbThreads(o.threads);
    set_compute_threads(o.threads);  // parallel_for's too: the evaluation passes, and the windows' passes on one thread

    const std::vector<NamedBuffer> tok_files = read_checkpoint_dir(tok_dir, true);
    const Tokenizer tokenizer = load_tokenizer(tok_files);
    std::vector<CorpusFile> files;
    const TokenSplit split = read_corpus(args.list("corpus"), tokenizer, val_fraction, &files, args.list("val-corpus"));
    if (static_cast<int>(split.train.size()) <= o.seq_len)
        throw Error("attnlab train: the corpus has " + std::to_string(split.train.size()) + " training tokens, fewer than one window of " +
                    std::to_string(o.seq_len));
    if (split.val.size() < 2) throw Error("attnlab train: no validation tokens; raise --val-fraction, add text or give --val-corpus");
    const std::vector<std::string> heldout_paths = args.list("heldout");
    const std::vector<int> heldout = heldout_paths.empty() ? std::vector<int>{} : read_corpus({}, tokenizer, 0, nullptr, heldout_paths).val;
    if (!heldout_paths.empty() && static_cast<int>(heldout.size()) < 2) throw Error("attnlab train: --heldout holds fewer than 2 tokens");
    const int final_windows = args.integer("final-windows", 1 << 30, 1, 1 << 30);
    const UnigramBaseline unigram = unigram_baseline(split, c.vocab_size);
    std::cerr << "attnlab: " << split.train.size() << " training and " << split.val.size()
              << " validation tokens; unigram baseline validation loss " << unigram.val_loss << "\n";

    // What a saved state belongs to: resuming with anything else would not continue the same run.
    Json fingerprint;
    fingerprint["config"] = {{"n_layer", c.n_layer}, {"n_head", c.n_head}, {"n_embd", c.n_embd}, {"n_positions", c.n_positions},
                             {"vocab_size", c.vocab_size}};
    fingerprint["options"] = {{"steps", o.steps}, {"batch", o.batch}, {"seq_len", o.seq_len},
                              {"short_seq_len", o.short_seq_len}, {"short_steps", o.short_steps}, {"lr", o.lr}, {"min_lr", o.min_lr},
                              {"warmup", o.warmup}, {"clip", o.clip}, {"weight_decay", o.adamw.weight_decay}, {"seed", o.seed}, {"init_std", o.init_std},
                              {"threads", o.threads}, {"val_fraction", val_fraction}, {"sinusoidal_positions", o.sinusoidal_positions},
                              {"sinusoid_top_frequency", o.sinusoid_top_frequency}, {"mimetic_qk", o.mimetic_qk},
                              {"offset_heads", o.offset_heads},
                              {"repeat_fraction", o.repeat_fraction}, {"echo_fraction", o.echo_fraction},
                              {"attention", o.spectral ? "spectral" : "softmax"}, {"spectral_lambda", o.spectral_lambda}};
    fingerprint["train_tokens"] = split.train.size();

    Trainer trainer(c, o);
    const std::string state_path = out_dir + "/training_state.safetensors";
    ConditioningLog conditioning(out_dir + "/conditioning_log.jsonl");
    Json steps = Json::array(), evals = Json::array();
    double earlier_seconds = 0, train_seconds = 0;  // of the segments before this one (--resume); in steps alone
    if (args.has("resume")) {
        const SharedBytes bytes = map_file(state_path);
        SavedTrainerState saved = decode_trainer_state(bytes.bytes, state_path);
        const Json was = Json::parse(saved.options, nullptr, false);
        if (was != fingerprint) {
            std::string differs;
            for (const char* part : {"config", "options"})
                for (const auto& [key, value] : fingerprint[part].items())
                    if (!was.is_object() || !was.contains(part) || was[part].value(key, Json()) != value)
                        differs += (differs.empty() ? "" : ", ") + key;
            if (was.is_object() && was.value("train_tokens", Json()) != fingerprint["train_tokens"])
                differs += std::string(differs.empty() ? "" : ", ") + "the corpus";
            throw Error(state_path + ": saved by a run with other settings (" + (differs.empty() ? "unreadable" : differs) +
                        "); resume with the same flags and corpus, or start afresh without --resume");
        }
        trainer.restore(std::move(saved.state));
        const std::string log_text = read_text(out_dir + "/training_log.json");
        const Json log = Json::parse(log_text, nullptr, false);
        if (log.is_discarded() || !log.contains("steps") || !log.contains("evals"))
            throw Error(out_dir + "/training_log.json: unreadable; it holds the resumed run's history");
        for (const auto& st : log["steps"])
            if (st.at(0).get<int>() < trainer.steps_taken()) steps.push_back(st);
        for (const auto& ev : log["evals"])
            if (ev.at(0).get<int>() <= trainer.steps_taken()) evals.push_back(ev);
        earlier_seconds = log.value("seconds", 0.0);
        train_seconds = log.value("train_seconds", 0.0);
        if (kappa_windows > 0) conditioning.resume(trainer.steps_taken());
        std::cerr << "attnlab: resuming at step " << trainer.steps_taken() << " of " << o.steps << "\n";
    }
    const int stop = std::min(o.steps, args.integer("stop-after", o.steps, 1, 100000000));
    if (stop <= trainer.steps_taken())
        throw Error("attnlab train: the run is already at step " + std::to_string(trainer.steps_taken()) + "; --stop-after " +
                    std::to_string(stop) + " leaves nothing to do");

    const auto start = std::chrono::steady_clock::now();
    auto seconds_so_far = [&] { return earlier_seconds + seconds_since(start); };
    Json log;
    log["command"] = "attnlab train";
    for (std::size_t i = 0; i < argv.size(); ++i) log["command"] = log["command"].get<std::string>() + " " + argv[i];
    log["config"] = fingerprint["config"];
    log["config"]["parameters"] = param_count(c);
    log["options"] = fingerprint["options"];
    log["options"]["dtype"] = dtype_name(dtype);
    Json corpus = Json::array();
    for (const auto& f : files)
        corpus.push_back({{"path", f.path}, {"bytes", f.bytes}, {"tokens", f.tokens}, {"validation", f.validation}});
    log["corpus"] = corpus;
    log["train_tokens"] = split.train.size();
    log["val_tokens"] = split.val.size();
    log["unigram_val_loss"] = unigram.val_loss;
    log["unigram_alpha"] = unigram.alpha;
    if (o.spectral) log["spectral_lambdas"] = trainer.spectral_lambdas();  // absolute, layer by layer: Q, K, V
    // The weights, the state to resume from and the log so far, together, so they always match.
    auto save = [&]() {
        // the weights the model uses (W + lambda I under spectral conditioning): every other command reads plain GPT-2
        write_checkpoint_dir(out_dir, c, weight_tensors(c, trainer.effective_params().data(), WeightsLayout{dtype, "", nullptr}), tok_dir);
        const auto state = encode_trainer_state(trainer.state(), fingerprint.dump());
        write_file(state_path, state.data(), state.size());
        log["steps_done"] = trainer.steps_taken();
        log["seconds"] = seconds_so_far();
        log["tokens_per_second"] = static_cast<double>(trainer.steps_taken()) * o.batch * o.seq_len / log["seconds"].get<double>();
        log["train_seconds"] = train_seconds;
        log["steps"] = steps;
        log["evals"] = evals;
        const std::string text = log.dump(1) + "\n";
        write_file(out_dir + "/training_log.json", text.data(), text.size());
        if (kappa_windows > 0) conditioning.write();
    };
    const std::vector<std::vector<int>> probe_batch = probe_windows(split.val, o.seq_len, kappa_windows);
    // every evaluation: the validation loss, and (with --kappa-windows) kappa of the projections and attention matrices
    auto evaluate = [&](int step) {
        const double val = trainer.evaluate(split.val, eval_windows);
        if (kappa_windows > 0) {
            const ConditioningProbe probe = probe_conditioning(trainer.model(), trainer.effective_params(), probe_batch);
            conditioning.add(step, train_seconds, val, c, probe);
            std::fprintf(stderr, "step %d  median log10 kappa of the attention matrices %.2f (first %d validation windows)\n", step,
                         probe.attention_log10_kappa_median, static_cast<int>(probe_batch.size()));
        }
        return val;
    };
    double last_loss = 0;
    const int first = trainer.steps_taken();
    if (first == 0 && kappa_windows > 0) evaluate(0);  // where every run starts, for the conditioning curves
    for (int s = first; s < stop; ++s) {
        const auto step_start = std::chrono::steady_clock::now();
        const StepStats st = trainer.step(split.train);
        train_seconds += seconds_since(step_start);
        last_loss = st.loss;
        steps.push_back({st.step, st.loss, st.grad_norm, st.lr});
        const double elapsed = seconds_since(start);
        const double tokens_per_s = static_cast<double>(s + 1 - first) * o.batch * o.seq_len / elapsed;
        const bool eval_now = (s + 1) % eval_every == 0 || s + 1 == stop;
        std::fprintf(stderr, "step %d/%d  loss %.4f  |g| %.3f  lr %.2e  %.0f tok/s  elapsed %s  left %s\n", s + 1, o.steps,
                     st.loss, st.grad_norm, static_cast<double>(st.lr), tokens_per_s, clock_text(elapsed).c_str(),
                     clock_text(elapsed / (s + 1 - first) * (stop - s - 1)).c_str());
        if (eval_now) {
            const double val = evaluate(s + 1);
            const HeadScore prev = strongest_previous_token_head(trainer, split.val, eval_windows);
            evals.push_back({s + 1, val, prev.score, prev.layer, prev.head});
            std::fprintf(stderr, "step %d  validation loss %.4f, strongest previous-token head %d:%d %.3f (first %d windows)\n",
                         s + 1, val, prev.layer, prev.head, prev.score, eval_windows);
            save();
        }
    }
    log["final_train_loss"] = last_loss;
    if (stop == o.steps) {
        log["final_val_loss"] = trainer.evaluate(split.val, final_windows);
        if (!heldout.empty()) {
            log["final_heldout_loss"] = trainer.evaluate(heldout, final_windows);
            log["heldout_tokens"] = std::min(heldout.size(), static_cast<std::size_t>(final_windows) * static_cast<std::size_t>(o.seq_len));
        }
    }
    else std::cerr << "attnlab: stopped after step " << stop << " of " << o.steps << "; continue with the same flags and --resume\n";
    save();

    Json out;
    for (const char* k : {"train_tokens", "val_tokens", "steps_done", "seconds", "train_seconds", "tokens_per_second", "final_train_loss",
                          "final_val_loss", "final_heldout_loss", "unigram_val_loss"})
        if (log.contains(k)) out[k] = log[k];
    out["out"] = out_dir;
    print_json(out);
}

}  // namespace attnlab::cli
