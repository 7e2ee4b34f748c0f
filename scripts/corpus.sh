#!/usr/bin/env bash
# Writes a training corpus from Debian packages (installing them when run as root).
#   scripts/corpus.sh          the shipped model's corpus:
#     build/corpus/kjv.txt     King James Bible (bible-kjv-text, public domain), via the `bible` reader (bible-kjv)
#     build/corpus/jargon.txt  The Jargon File 4.4.7 (jargon-text, public domain)
#   scripts/corpus.sh modern   modern English documentation for the next model (scripts/corpus-modern.mjs):
#     build/corpus/modern/{train,validation,heldout}.txt and sources.tsv (sources, licences, bytes, tokens)
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

case "${1:-shipped}" in
  shipped)
    need_packages bible-kjv bible-kjv-text jargon-text
    mkdir -p build/corpus
    bible -l10000 "gen1:1-rev22:21" > build/corpus/kjv.txt
    gzip -dc /usr/share/doc/jargon-text/jargon.txt.gz > build/corpus/jargon.txt
    wc -c build/corpus/kjv.txt build/corpus/jargon.txt >&2
    ;;
  modern)
    need_packages python3.11-doc debian-handbook debian-reference-en developers-reference maint-guide debian-faq gnu-standards
    [ -d node_modules/js-tiktoken ] || npm ci --no-audit --no-fund >/dev/null
    node scripts/corpus-modern.mjs
    ;;
  *) echo "usage: scripts/corpus.sh [shipped|modern]" >&2; exit 2 ;;
esac
