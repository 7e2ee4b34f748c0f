// What several commands take the same way: the checkpoint of --model, the tokens of the text flags, and
// lists of heads.
#pragma once
#include <string>
#include <vector>

#include "analysis/run_report.hpp"
#include "cli/args.hpp"
#include "cli/command_spec.hpp"
#include "io/checkpoint.hpp"
#include "model/gpt2.hpp"

namespace attnlab::cli {

// The flags several commands declare the same way.
FlagSpec text_flag();        // --text S
FlagSpec text_file_flag();   // --text-file F
std::string text_note();     // "Give --text S or --text-file F ..."
std::vector<FlagSpec> shape_flags();  // --layers --heads --embd --ctx (required)
FlagSpec tokenizer_flag();   // --tokenizer DIR (default: the shipped GPT-2 tokenizer files)
FlagSpec corpus_flag();      // --corpus FILE [FILE ...] (required)
FlagSpec val_fraction_flag();  // --val-fraction F
FlagSpec val_corpus_flag();    // --val-corpus FILE [FILE ...]

// --storage f32|f16|auto (how weight matrices are kept in memory; default f32).
LoadOptions load_options_argument(const Args& args);

// Loads the checkpoint folder `dir`. With `pack`, for the forward pass: its weight matrices packed for the native GEMM
// kernel (model/packed_weights.hpp), the file's pages they came from let go as each is packed, so memory holds one
// copy. Without (the backward pass reads the matrices themselves), as they are in the file.
Checkpoint load_checkpoint_dir(const std::string& dir, const LoadOptions& options, bool pack);

// Loads --model DIR (with --storage) by load_checkpoint_dir, printing the loader's notes on stderr.
Checkpoint load_model_argument(const Args& args, bool pack = true);

// The ids of --ids 1,2,3 (when allow_ids), --text S or --text-file F.
std::vector<int> ids_argument(const Args& args, const Tokenizer& tokenizer, const std::string& command, bool allow_ids);

// A GPT-2 config with the full GPT-2 vocabulary from --layers --heads --embd --ctx (all required).
Config config_from_flags(const Args& args, const std::string& command);

// --normaliser SPEC [--normaliser-heads L:H,...] (default: softmax in every head).
NormaliserChoice normaliser_argument(const Args& args, const Config& config);

// "L:H,L:H,..." (layers and heads from 0) as written; parse_heads also checks each against the model.
std::vector<HeadId> parse_head_list(const std::string& spec, const std::string& flag);
std::vector<HeadId> parse_heads(const std::string& spec, const Config& config, const std::string& flag);

}  // namespace attnlab::cli
