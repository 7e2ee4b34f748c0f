#!/usr/bin/env bash
# Writes the training corpus of the shipped model from Debian packages (installing them when run as root):
#   build/corpus/kjv.txt     King James Bible (bible-kjv-text, public domain), via the `bible` reader (bible-kjv)
#   build/corpus/jargon.txt  The Jargon File 4.4.7 (jargon-text, public domain)
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for p in bible-kjv bible-kjv-text jargon-text; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
      || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }
  else
    echo "corpus: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
fi
mkdir -p build/corpus
bible -l10000 "gen1:1-rev22:21" > build/corpus/kjv.txt
gzip -dc /usr/share/doc/jargon-text/jargon.txt.gz > build/corpus/jargon.txt
wc -c build/corpus/kjv.txt build/corpus/jargon.txt >&2
