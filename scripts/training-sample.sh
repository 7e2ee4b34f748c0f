#!/usr/bin/env bash
# Texts for averaging attention the way PAPA does (averages from training text, evaluated on held-out text), from
# the shipped model's corpus (scripts/corpus.sh must have run):
#   build/averages/training-sample.txt  128 chunks of 4,000 bytes spread evenly over the first 90% of each corpus
#                                       file (inside the training split, the first 95% of each file's tokens)
#   build/averages/held-out.txt         the last 4% of the Jargon File (inside its validation split)
#   build/averages/page-sample.txt      the page's held-out sample for its per-N curves: 8 chunks of 1,100
#                                       characters (about 256 tokens) spread over the last 4% of each file
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/averages
node -e '
  const fs = require("fs");
  const parts = [];
  for (const f of ["build/corpus/kjv.txt", "build/corpus/jargon.txt"]) {
    const text = fs.readFileSync(f, "utf8"), end = Math.floor(text.length * 0.9), chunks = 128, size = 4000;
    for (let i = 0; i < chunks; i++) {
      const at = Math.floor(i * (end - size) / (chunks - 1));
      parts.push(text.slice(at, at + size));
    }
  }
  fs.writeFileSync("build/averages/training-sample.txt", parts.join("\n"), "utf8");
  const page = [];
  for (const f of ["build/corpus/kjv.txt", "build/corpus/jargon.txt"]) {
    const text = fs.readFileSync(f, "utf8"), from = Math.ceil(text.length * 0.96), size = 1100, chunks = 8;
    for (let i = 0; i < chunks; i++) {
      const at = from + Math.floor(i * (text.length - from - size) / (chunks - 1));
      page.push(text.slice(at, at + size));
    }
  }
  fs.writeFileSync("build/averages/page-sample.txt", page.join("\n\n"), "utf8");
  const jargon = fs.readFileSync("build/corpus/jargon.txt", "utf8");
  fs.writeFileSync("build/averages/held-out.txt", jargon.slice(Math.ceil(jargon.length * 0.96)), "utf8");
'
