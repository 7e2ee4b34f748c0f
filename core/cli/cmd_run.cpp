#include <algorithm>
#include <iostream>
#include <numeric>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"
#include "model/gpt2.hpp"

namespace attnlab::cli {
namespace {

// "all" or "L:H,L:H,..."; layers and heads counted from 0.
void parse_heads(const std::string& spec, const Config& c, ForwardOptions& o) {
    if (spec == "all") {
        o.capture_all = true;
        return;
    }
    std::size_t pos = 0;
    while (pos < spec.size()) {
        std::size_t comma = spec.find(',', pos);
        if (comma == std::string::npos) comma = spec.size();
        const std::string item = spec.substr(pos, comma - pos);
        int layer = -1, head = -1;
        char tail = 0;
        if (std::sscanf(item.c_str(), "%d:%d%c", &layer, &head, &tail) != 2)
            throw Error("--attention: '" + item + "' is not LAYER:HEAD (e.g. 0:3) or 'all'");
        if (layer < 0 || layer >= c.n_layer || head < 0 || head >= c.n_head)
            throw Error("--attention: " + item + " is outside this model (layers 0.." + std::to_string(c.n_layer - 1) +
                        ", heads 0.." + std::to_string(c.n_head - 1) + ")");
        o.capture.push_back({layer, head});
        pos = comma + 1;
    }
}

}  // namespace

void cmd_run(const Argv& argv) {
    const Args args(argv, "run", {"model", "text", "text-file", "ids", "temperature", "attention"});
    const Checkpoint ck = load_checkpoint(read_checkpoint_dir(args.required("model")));
    for (const auto& note : ck.notes) std::cerr << "attnlab: " << note << "\n";

    std::vector<int> ids;
    if (args.has("ids")) {
        if (args.has("text") || args.has("text-file")) throw Error("attnlab run: give --ids or a text, not both");
        ids = args.int_list("ids", {});
    } else {
        ids = ck.tokenizer.encode(text_argument(args, "run"));
    }

    ForwardOptions options;
    options.normaliser = softmax_normaliser(static_cast<float>(args.number("temperature", 1.0)));
    if (args.has("attention")) parse_heads(args.str("attention"), ck.model.config, options);
    const Trace trace = forward(ck.model, ids, options);

    nlohmann::ordered_json out;
    out["ids"] = trace.ids;
    out["temperature"] = options.normaliser.temperature;
    out["loss"] = number_or_null(trace.loss);
    const auto last = trace.logits.row(trace.logits.rows() - 1);
    std::vector<int> order(static_cast<std::size_t>(last.size()));
    std::iota(order.begin(), order.end(), 0);
    const std::size_t top = std::min<std::size_t>(20, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(top), order.end(),
                      [&](int a, int b) { return last(a) > last(b) || (last(a) == last(b) && a < b); });
    auto& logits_top = out["logits_top"] = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < top; ++i) logits_top.push_back({order[i], last(order[i])});
    auto& attention = out["attention"] = nlohmann::ordered_json::object();
    for (const auto& h : trace.heads) {
        auto rows = nlohmann::ordered_json::array();
        for (Eigen::Index i = 0; i < h.probs.rows(); ++i)
            rows.push_back(std::vector<float>(h.probs.row(i).data(), h.probs.row(i).data() + i + 1));
        attention[std::to_string(h.id.layer) + ":" + std::to_string(h.id.head)] = std::move(rows);
    }
    print_json(out);
}

}  // namespace attnlab::cli
