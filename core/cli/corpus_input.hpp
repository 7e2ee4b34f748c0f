// Reading --corpus files into the train / validation split that training and evaluation share.
#pragma once
#include <string>
#include <vector>

#include "text/bpe.hpp"
#include "train/corpus.hpp"

namespace attnlab::cli {

struct CorpusFile {
    std::string path;
    std::size_t bytes = 0, tokens = 0;
    bool validation = false;  // a --val-corpus file: all of it is validation
};

// Each file is one document: tokenized whole, its last val_fraction going to validation; each of val_paths
// (--val-corpus) goes whole to validation, so whole documents can be kept apart from training. With no paths, all
// of it is val_paths' text (held-out text).
TokenSplit read_corpus(const std::vector<std::string>& paths, const Tokenizer& tokenizer, double val_fraction,
                       std::vector<CorpusFile>* files = nullptr, const std::vector<std::string>& val_paths = {});

}  // namespace attnlab::cli
