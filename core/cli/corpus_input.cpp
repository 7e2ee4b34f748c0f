#include "cli/corpus_input.hpp"

#include <iostream>

#include "cli/files.hpp"
#include "cli/terminal.hpp"
#include "error.hpp"

namespace attnlab::cli {

TokenSplit read_corpus(const std::vector<std::string>& paths, const Tokenizer& tokenizer, double val_fraction,
                       std::vector<CorpusFile>* files, const std::vector<std::string>& val_paths) {
    if (paths.empty() && val_paths.empty()) throw Error("--corpus: give at least one text file");
    TokenSplit split;
    auto read = [&](const std::string& path, bool validation) {
        const std::string text = read_text(path);
        std::vector<int> tokens;
        try {
            tokens = tokenizer.encode(text);
        } catch (const Error& e) {
            throw Error(path + ": " + e.what());
        }
        say(path + ": " + std::to_string(text.size()) + " bytes, " + std::to_string(tokens.size()) + " tokens" +
            (validation ? " (validation)" : ""));
        if (validation) add_validation_document(split, tokens);
        else add_document(split, tokens, val_fraction);
        if (files) files->push_back({path, text.size(), tokens.size(), validation});
    };
    for (const auto& path : paths) read(path, false);
    for (const auto& path : val_paths) read(path, true);
    return split;
}

}  // namespace attnlab::cli
