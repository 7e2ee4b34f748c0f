#include "analysis/constant_attention.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "analysis/windows.hpp"
#include "analysis/stats.hpp"
#include "error.hpp"
#include "io/safetensors.hpp"
#include "util/clock.hpp"

namespace attnlab {

ConstantAttention average_attention(const Model& model, const std::vector<int>& ids, int window, int max_windows,
                                    const Progress& progress) {
    const Config& c = model.config;
    if (window < 2 || window > c.n_positions) throw Error("constant attention: the window must be in 2.." + std::to_string(c.n_positions));
    auto windows = split_windows(static_cast<int>(ids.size()), window);
    if (static_cast<int>(windows.size()) > max_windows) windows.resize(static_cast<std::size_t>(max_windows));
    if (windows.empty() || ids.size() < 2) throw Error("constant attention: the corpus must have at least 2 tokens");
    ConstantAttention avg;
    avg.n_layer = c.n_layer;
    avg.n_head = c.n_head;
    avg.size = windows[0].length;
    avg.probs.assign(static_cast<std::size_t>(c.n_layer * c.n_head), MatRM::Zero(avg.size, avg.size));
    std::vector<double> reach(static_cast<std::size_t>(avg.size), 0.0);  // windows that reach row i
    const ForwardOptions fo = attention_only([&](const HeadView& v) {
        const int T = static_cast<int>(v.probs.rows());
        avg.probs[static_cast<std::size_t>(v.layer * c.n_head + v.head)].topLeftCorner(T, T) += v.probs;
    });
    for (std::size_t w = 0; w < windows.size(); ++w) {
        const auto& win = windows[w];
        forward(model, std::vector<int>(ids.begin() + win.start, ids.begin() + win.start + win.length), fo);
        for (int i = 0; i < win.length; ++i) reach[static_cast<std::size_t>(i)] += 1;
        avg.tokens += win.length;
        if (progress) progress(static_cast<int>(w + 1), static_cast<int>(windows.size()), "window");
    }
    avg.windows = static_cast<long>(windows.size());
    for (auto& m : avg.probs)
        for (int i = 0; i < avg.size; ++i) m.row(i) /= static_cast<float>(reach[static_cast<std::size_t>(i)]);
    return avg;
}

std::vector<std::uint8_t> constant_attention_safetensors(const ConstantAttention& avg) {
    std::vector<TensorToWrite> tensors;
    const std::size_t per_head = static_cast<std::size_t>(avg.size) * avg.size;
    for (int l = 0; l < avg.n_layer; ++l) {
        std::vector<float> block(per_head * static_cast<std::size_t>(avg.n_head));
        for (int h = 0; h < avg.n_head; ++h) std::memcpy(block.data() + per_head * h, avg.of(l, h).data(), per_head * sizeof(float));
        tensors.push_back({"h." + std::to_string(l) + ".attn.constant", DType::F32, {avg.n_head, avg.size, avg.size},
                           encode_floats(block.data(), block.size(), DType::F32)});
    }
    return write_safetensors(tensors, {{"windows", std::to_string(avg.windows)}, {"tokens", std::to_string(avg.tokens)}});
}

ConstantAttention read_constant_attention(ByteView bytes, const Config& c, const std::string& file_name) {
    const SafetensorsFile file = parse_safetensors(bytes, file_name);
    ConstantAttention avg;
    avg.n_layer = c.n_layer;
    avg.n_head = c.n_head;
    for (int l = 0; l < c.n_layer; ++l) {
        const std::string name = "h." + std::to_string(l) + ".attn.constant";
        const TensorEntry* t = file.find(name);
        if (!t) throw Error(file_name + ": missing tensor " + name + " (is this a constant-attention file for this model?)");
        if (t->shape.size() != 3 || t->shape[0] != c.n_head || t->shape[1] != t->shape[2] || t->shape[1] < 1 ||
            t->shape[1] > c.n_positions || (l > 0 && t->shape[1] != avg.size))
            throw Error(file_name + ": tensor " + name + " must have shape [" + std::to_string(c.n_head) + ",T,T] with T <= " +
                        std::to_string(c.n_positions));
        avg.size = static_cast<int>(t->shape[1]);
        std::vector<float> values(static_cast<std::size_t>(t->element_count()));
        decode_floats(*t, values.data(), file_name);
        for (float v : values)
            if (!std::isfinite(v) || v < 0)
                throw Error(file_name + ": tensor " + name + " holds a weight that is negative, NaN or infinite (" + std::to_string(v) +
                            "): averaged attention weights lie in [0, 1]");
        const std::size_t per_head = static_cast<std::size_t>(avg.size) * avg.size;
        for (int h = 0; h < c.n_head; ++h)
            avg.probs.push_back(Eigen::Map<const MatRM>(values.data() + per_head * h, avg.size, avg.size));
    }
    const auto w = file.metadata.find("windows"), n = file.metadata.find("tokens");
    if (w != file.metadata.end()) avg.windows = std::atol(w->second.c_str());
    if (n != file.metadata.end()) avg.tokens = std::atol(n->second.c_str());
    return avg;
}

WindowLosses losses_with(const Model& model, const ConstantAttention& avg, const std::vector<int>& eval, int eval_windows,
                         const std::function<bool(int, int)>& replaced) {
    ForwardOptions fo;
    fo.constant_probs = [&](int l, int h) -> const MatRM* { return replaced(l, h) ? &avg.of(l, h) : nullptr; };
    return window_losses(model, eval, avg.size, eval_windows, fo);
}

double loss_with(const Model& model, const ConstantAttention& avg, const std::vector<int>& eval, int eval_windows,
                 const std::function<bool(int, int)>& replaced) {
    return losses_with(model, avg, eval, eval_windows, replaced).mean();
}

Json relative_increase(const WindowLosses& with, const WindowLosses& base) {
    const auto increase = [&](const std::vector<int>& weights) { return std::exp(with.mean(weights) - base.mean(weights)) - 1; };
    const Interval i = bootstrap_interval(base.size(), increase);
    return {{"value", number_json(increase(std::vector<int>(base.size(), 1)))}, {"low", number_json(i.low)}, {"high", number_json(i.high)}};
}

namespace {

const RequestFields<ConstantRequest>& constant_fields() {
    static const auto f = RequestFields<ConstantRequest>()
        .add("window", &ConstantRequest::window, "averaging window (0: the model's context)", context_tokens())
        .add("max_windows", &ConstantRequest::max_windows, "windows of the corpus averaged, at most", at_least(1))
        .add("eval_windows", &ConstantRequest::eval_windows, "windows of the evaluated text, at most", at_least(1));
    return f;
}

}  // namespace

Json constant_attention_report(const Model& model, const ConstantAttention& avg, const std::vector<int>& eval,
                               const ConstantRequest& given, const Progress& progress) {
    const Config& c = model.config;
    const ConstantRequest request = constant_fields().checked(given, c, "constant attention");
    if (eval.size() < 2) throw Error("constant attention: the evaluation text must have at least 2 tokens");
    const int runs = 2 + c.n_layer + c.n_layer * c.n_head;
    int done = 0;
    auto step = [&] { if (progress) progress(++done, runs, "evaluation"); };

    // the baseline pass also measures how far each head's own rows are from its average (mean TV per row)
    std::vector<Mean> distance(static_cast<std::size_t>(c.n_layer * c.n_head));
    ForwardOptions measure;
    measure.observer = [&](const HeadView& v) {
        const MatRM& a = avg.of(v.layer, v.head);
        for (Eigen::Index i = 0; i < v.probs.rows(); ++i)
            distance[static_cast<std::size_t>(v.layer * c.n_head + v.head)].add(
                0.5 * (v.probs.row(i).head(i + 1) - a.row(i).head(i + 1)).cwiseAbs().sum());
    };
    const WindowLosses base_windows = window_losses(model, eval, avg.size, request.eval_windows, measure);
    const double base = base_windows.mean();
    step();
    const WindowLosses all_windows = losses_with(model, avg, eval, request.eval_windows, [](int, int) { return true; });
    const double all = all_windows.mean();
    step();
    Json layers = Json::array(), heads = Json::array();
    for (int l = 0; l < c.n_layer; ++l) {
        const double loss = loss_with(model, avg, eval, request.eval_windows, [l](int layer, int) { return layer == l; });
        layers.push_back({{"layer", l}, {"loss", number_json(loss)}, {"perplexity", number_json(std::exp(loss))}, {"cost", number_json(loss - base)}});
        step();
    }
    for (int l = 0; l < c.n_layer; ++l)
        for (int h = 0; h < c.n_head; ++h) {
            const double loss = loss_with(model, avg, eval, request.eval_windows, [l, h](int layer, int head) { return layer == l && head == h; });
            heads.push_back({{"layer", l}, {"head", h}, {"loss", number_json(loss)}, {"perplexity", number_json(std::exp(loss))}, {"cost", number_json(loss - base)},
                             {"distance", number_json(distance[static_cast<std::size_t>(l * c.n_head + h)].mean())}});
            step();
        }
    // ranks: ties (equal cost or distance) keep head order, so every build ranks them alike
    std::vector<std::size_t> by_cost(heads.size()), by_distance(heads.size());
    for (std::size_t i = 0; i < heads.size(); ++i) by_cost[i] = by_distance[i] = i;
    const auto value = [&](std::size_t i, const char* key) { return json_number(heads[i][key]); };
    std::stable_sort(by_cost.begin(), by_cost.end(), [&](std::size_t a, std::size_t b) { return less_nan_last(-value(a, "cost"), -value(b, "cost")); });
    std::stable_sort(by_distance.begin(), by_distance.end(), [&](std::size_t a, std::size_t b) {
        return less_nan_last(value(a, "distance"), value(b, "distance"));
    });
    for (std::size_t r = 0; r < by_cost.size(); ++r) {
        heads[by_cost[r]]["rank_by_cost"] = r + 1;
        heads[by_distance[r]]["rank_by_constancy"] = r + 1;
    }
    const long eval_tokens = static_cast<long>(std::min<std::size_t>(eval.size(), static_cast<std::size_t>(avg.size) * request.eval_windows));
    Json out;
    out["analysis"] = "constant";
    out["averaged_windows"] = avg.windows;
    out["averaged_tokens"] = avg.tokens;
    out["window"] = avg.size;
    out["eval_tokens"] = eval_tokens;
    out["baseline"] = {{"loss", number_json(base)}, {"perplexity", number_json(std::exp(base))}};
    out["all_heads"] = {{"loss", number_json(all)}, {"perplexity", number_json(std::exp(all))}, {"cost", number_json(all - base)},
                        {"relative_perplexity_increase", relative_increase(all_windows, base_windows)}};
    out["eval_windows"] = base_windows.size();
    out["interval"] = bootstrap_method("the evaluated windows, each resample shared by the two losses compared");
    out["layers"] = std::move(layers);
    out["heads"] = std::move(heads);
    return out;
}

std::vector<InputSpec> constant_attention_inputs() {
    return {{"corpus", InputKind::Corpus, "corpus", "the text to average attention over", "source"},
            {"averages", InputKind::Bytes, "averages", "averages saved by an earlier run", "source"},
            {"text", InputKind::Text, "eval", "the held-out text to evaluate on", ""}};
}

ConstantAttention averages_from(const Model& m, const AnalysisInputs& in, int window, int max_windows, const Progress& progress,
                                double* seconds) {
    const auto corpus = in.corpora.find("corpus");
    const auto saved = in.bytes.find("averages");
    if ((corpus == in.corpora.end()) == (saved == in.bytes.end()))
        throw Error("constant attention: give a corpus to average over or saved averages, one of them");
    if (saved != in.bytes.end()) return read_constant_attention(saved->second, m.config, "averages");
    const auto start = std::chrono::steady_clock::now();
    ConstantAttention avg =
        average_attention(m, corpus->second, window_of(window, m.config.n_positions, m.config, "constant attention"), max_windows, progress);
    if (seconds) *seconds = seconds_since(start);
    return avg;
}

AnalysisSpec constant_analysis() {
    return {"constant", "each head replaced by its attention averaged over a corpus (PAPA): the loss each costs on held-out text",
            constant_fields().fields(), constant_attention_inputs(),
            {{"averages", "out", "the averages, as safetensors (one F32 h.L.attn.constant [n_head, T, T] per layer)"}},
            [](const Model& m, const AnalysisInputs& in, const Json& request, const Progress& progress) {
                const ConstantRequest r = constant_fields().read(request);
                double averaging_s = 0;
                const ConstantAttention avg = averages_from(m, in, r.window, r.max_windows, progress, &averaging_s);
                AnalysisOutput out{constant_attention_report(m, avg, in.texts.at(0), r, progress), {}};
                if (averaging_s > 0) out.report["averaging_tokens_per_second"] = avg.tokens / averaging_s;
                if (in.outputs.count("averages")) out.files["averages"] = constant_attention_safetensors(avg);
                return out;
            }};
}

}  // namespace attnlab
