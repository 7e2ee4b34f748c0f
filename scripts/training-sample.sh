#!/usr/bin/env bash
# Texts for averaging attention the way PAPA does (averages from training text, evaluated on held-out text), from
# the shipped model's corpus (scripts/corpus.sh must have run; build/corpus/modern/):
#   build/averages/training-sample.txt  256 chunks of 4,000 bytes spread evenly over train.txt (the training split)
#   build/averages/held-out.txt         the first 64,000 bytes of validation.txt (whole documents the model was
#                                       never trained on, from the training sources)
#   build/averages/page-sample.txt      the page's held-out sample for its per-N curves: 16 chunks of 1,100
#                                       characters (about 256 tokens) spread over heldout.txt (the Debian FAQ and
#                                       the GNU standards: sources none of whose text is in the training corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/averages
node -e '
  const fs = require("fs"), read = (f) => fs.readFileSync(`build/corpus/modern/${f}`, "utf8");
  // a file whose text is unchanged keeps its time stamp (scripts/experiments/ keep results newer than their texts)
  const write = (f, text) => { try { if (fs.readFileSync(f, "utf8") === text) return; } catch {} fs.writeFileSync(f, text, "utf8"); };
  // `count` chunks of `size` characters spread evenly over text
  const chunks = (text, count, size) =>
    Array.from({ length: count }, (_, i) => Math.floor(i * (text.length - size) / (count - 1))).map((at) => text.slice(at, at + size));
  write("build/averages/training-sample.txt", chunks(read("train.txt"), 256, 4000).join("\n"));
  write("build/averages/page-sample.txt", chunks(read("heldout.txt"), 16, 1100).join("\n\n"));
  write("build/averages/held-out.txt", read("validation.txt").slice(0, 64000));
'
