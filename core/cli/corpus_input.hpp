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
};

// Each file is one document: tokenized whole, its last val_fraction going to validation.
TokenSplit read_corpus(const std::vector<std::string>& paths, const Tokenizer& tokenizer, double val_fraction,
                       std::vector<CorpusFile>* files = nullptr);

}  // namespace attnlab::cli
