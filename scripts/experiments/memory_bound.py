#!/usr/bin/env python3
"""Peak memory of `attnlab analyze` against the length of the text (issue 32: memory must not grow with it).

For each model (the shipped tiny-gpt2, and a random GPT-2 124M-shaped checkpoint that make-random writes) and each
analysis that reads a whole text, runs the CLI on English texts of growing size (the README repeated) and prints
the peak resident memory of the process. Run after `npm run build:native`:

    python3 scripts/experiments/memory_bound.py [--sizes 0.1,1] [--gpt2-sizes 0.02,0.2]

Sizes are in MB of text. The text file and the checkpoint go to a temporary folder.
"""
import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("ATTNLAB_CLI", os.path.join(ROOT, "build", "native", "attnlab"))


def run_peak(args):
    """Peak RSS (MiB) of one command alone, measured by a fresh Python that only runs it."""
    code = ("import resource,subprocess,sys;"
            "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE,text=True);"
            "sys.exit(r.stderr) if r.returncode else print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {out.stderr}")
    return int(out.stdout.strip()) / 1024.0, time.time() - start


def text_file(folder, mb):
    path = os.path.join(folder, f"text-{mb}MB.txt")
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        para = re.sub(r"\s+", " ", f.read())
    n = int(mb * 1e6)
    with open(path, "w", encoding="utf-8") as f:
        f.write((para * (n // len(para) + 1))[:n])
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="0.1,1", help="MB of text for the shipped model")
    ap.add_argument("--gpt2-sizes", default="0.02,0.2", help="MB of text for the GPT-2 124M shape")
    ap.add_argument("--analyses", default="selectivity,sensitivity,paper,conditioning")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="attnlab-memory-")
    gpt2 = os.path.join(tmp, "gpt2-124m-shape")
    subprocess.run([CLI, "make-random", "--out", gpt2, "--layers", "12", "--heads", "12", "--embd", "768", "--ctx", "1024"],
                   check=True, stdout=subprocess.DEVNULL)
    models = [("tiny-gpt2 (shipped)", os.path.join(ROOT, "models", "tiny-gpt2"), a.sizes),
              ("GPT-2 124M shape (random)", gpt2, a.gpt2_sizes)]
    print("| model | analysis | text | peak RSS (MiB) | seconds |")
    print("|---|---|---|---:|---:|")
    for name, model, sizes in models:
        for analysis in a.analyses.split(","):
            for mb in [float(s) for s in sizes.split(",")]:
                path = text_file(tmp, mb)
                peak, seconds = run_peak([CLI, "analyze", analysis, "--model", model, "--text-file", path])
                print(f"| {name} | {analysis} | {mb:g} MB | {peak:.0f} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
