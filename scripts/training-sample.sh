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
  const files = ["build/corpus/kjv.txt", "build/corpus/jargon.txt"].map((f) => fs.readFileSync(f, "utf8"));
  // `count` chunks of `size` characters spread evenly over text[from, to)
  const chunks = (text, from, to, count, size) =>
    Array.from({ length: count }, (_, i) => from + Math.floor(i * (to - from - size) / (count - 1))).map((at) => text.slice(at, at + size));
  const training = files.flatMap((t) => chunks(t, 0, Math.floor(t.length * 0.9), 128, 4000));
  fs.writeFileSync("build/averages/training-sample.txt", training.join("\n"), "utf8");
  const page = files.flatMap((t) => chunks(t, Math.ceil(t.length * 0.96), t.length, 8, 1100));
  fs.writeFileSync("build/averages/page-sample.txt", page.join("\n\n"), "utf8");
  const jargon = files[1];
  fs.writeFileSync("build/averages/held-out.txt", jargon.slice(Math.ceil(jargon.length * 0.96)), "utf8");
'
