#include "analysis/normaliser_choice.hpp"

#include "error.hpp"

namespace attnlab {

void check_heads(const std::vector<HeadId>& heads, const Config& c) {
    for (const auto& h : heads)
        if (h.layer < 0 || h.layer >= c.n_layer || h.head < 0 || h.head >= c.n_head)
            throw Error("no head " + std::to_string(h.layer) + ":" + std::to_string(h.head) + " (the model has " +
                        std::to_string(c.n_layer) + " layers of " + std::to_string(c.n_head) + " heads)");
}

std::string apply_normaliser_choice(const NormaliserChoice& choice, double temperature, const Config& c, ForwardOptions& fo) {
    const Normaliser chosen = parse_normaliser(choice.spec, static_cast<float>(temperature), "normaliser");
    fo.normaliser = softmax_normaliser(static_cast<float>(temperature));
    if (choice.heads.empty()) fo.normaliser = chosen;
    else {
        check_heads(choice.heads, c);
        for (const auto& h : choice.heads) fo.head_normalisers.push_back({h, chosen});
    }
    return chosen.describe();
}

Json normaliser_json(const NormaliserChoice& choice, const std::string& described) {
    Json heads = Json::array();
    for (const auto& h : choice.heads) heads.push_back(std::to_string(h.layer) + ":" + std::to_string(h.head));
    return {{"name", described}, {"heads", choice.heads.empty() ? Json("all") : heads}};
}

}  // namespace attnlab
