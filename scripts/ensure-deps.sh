#!/usr/bin/env bash
# Installs what attnlab needs and is missing: Debian packages (with apt-get, when run as root) and the npm
# packages of package-lock.json (npm ci). Safe to run again: it does nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make libeigen3-dev doctest-dev nlohmann-json3-dev python3 python3-numpy python3-torch
          emscripten chromium  # the WebAssembly build, and the browser the page's end-to-end tests drive
          clang libclang-rt-14-dev libomp-dev valgrind  # the sanitizer + libFuzzer build, and the memcheck run
          jargon-text  # English text for the tokenizer's tests (tests/reference/english_corpus.mjs)
          python3.11-doc debian-handbook debian-reference-en developers-reference maint-guide debian-faq
          gnu-standards)  # the shipped model's corpus (scripts/corpus.sh)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "attnlab: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "attnlab: missing Debian packages: ${missing[*]}" >&2
    echo "attnlab: run as root (or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "attnlab: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
