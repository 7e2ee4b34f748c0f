#!/usr/bin/env bash
# What a plotting library would cost the page, beside attnlab's own plots: bytes (raw and gzip -9) and lines.
# Installs @observablehq/plot and d3 (the suggested library and the d3 it needs) from the npm registry into a
# temporary folder, never into the project. Re-run: bash scripts/plot-library-cost.sh [PLOT_VERSION] [D3_VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
plot="${1:-0.6.17}" d3="${2:-7.9.2}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "@observablehq/plot@$plot" "d3@$d3")
row() { printf '%-44s %9d %9d %6d\n' "$1" "$(wc -c < "$2")" "$(gzip -9c "$2" | wc -c)" "$(wc -l < "$2")"; }
printf '%-44s %9s %9s %6s\n' file bytes gzip lines
row "@observablehq/plot $plot (plot.umd.min.js)" "$tmp/node_modules/@observablehq/plot/dist/plot.umd.min.js"
row "d3 $d3 (d3.min.js, which Plot's UMD needs)" "$tmp/node_modules/d3/dist/d3.min.js"
cat "$tmp/node_modules/@observablehq/plot/dist/plot.umd.min.js" "$tmp/node_modules/d3/dist/d3.min.js" > "$tmp/both.js"
row "  together" "$tmp/both.js"
row "attnlab web/plot.js" web/plot.js
row "attnlab web/export.js" web/export.js
cat web/plot.js web/export.js > "$tmp/ours.js"
row "  together" "$tmp/ours.js"
