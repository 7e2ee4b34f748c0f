#!/usr/bin/env bash
# Writes the shipped model's training corpus from Debian packages (installing them when run as root): modern
# English documentation (scripts/corpus-modern.mjs), as build/corpus/modern/{train,validation,heldout}.txt and
# sources.tsv (sources, licences, splits, documents, bytes, tokens). The same bytes on every run with the same
# packages; nothing is rewritten when the files are already there and newer than the script.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs the Debian packages named that are missing (as root), or says which are missing.
need_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
      || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }
  else
    echo "corpus: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
}

[ $# -eq 0 ] || { echo "usage: scripts/corpus.sh" >&2; exit 2; }
need_packages python3.11-doc debian-handbook debian-reference-en developers-reference maint-guide debian-faq gnu-standards
out=build/corpus/modern
if [ ! -f "$out/sources.tsv" ] || [ scripts/corpus-modern.mjs -nt "$out/sources.tsv" ]; then
  [ -d node_modules/js-tiktoken ] || npm ci --no-audit --no-fund >/dev/null
  node scripts/corpus-modern.mjs
fi
