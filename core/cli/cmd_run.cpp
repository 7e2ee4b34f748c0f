#include <algorithm>
#include <iostream>
#include <numeric>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/inputs.hpp"
#include "cli/json_out.hpp"
#include "error.hpp"
#include "model/gpt2.hpp"

namespace attnlab::cli {

void cmd_run(const Argv& argv) {
    const Args args(argv, "run", {"model", "text", "text-file", "ids", "temperature", "attention"});
    const Checkpoint ck = load_model_argument(args);
    const std::vector<int> ids = ids_argument(args, ck.tokenizer, "run", true);

    ForwardOptions options;
    options.normaliser = softmax_normaliser(static_cast<float>(args.number("temperature", 1.0)));
    if (args.str("attention") == "all") options.capture_all = true;
    else if (args.has("attention")) options.capture = parse_heads(args.str("attention"), ck.model.config, "--attention");
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
