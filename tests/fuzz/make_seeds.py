#!/usr/bin/env python3
"""Writes the fuzz seed corpora in tests/fuzz/seeds/ (committed; re-run after changing a target).

Seeds are valid inputs the targets accept, made from real files: slices of the GPT-2 vocab.json and
merges.txt that attnlab ships, config.json files as Hugging Face publishes them, and safetensors files
written here with the standard library alone (an independent writer, in the layouts Hugging Face uses:
F32 / F16 / BF16, with and without the "transformer." prefix, with an lm_head, with attn.bias buffers).
"""
import json
import os
import random
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "tests", "fuzz", "seeds")
TOKENIZER = os.path.join(ROOT, "models", "gpt2-tokenizer")


def write(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


# ---- safetensors, for the fuzz target's config: 1 layer, 2 heads, 4 channels, 4 positions, 8 tokens
L, C, P, V = 1, 4, 4, 8


def gpt2_shapes(prefix=""):
    shapes = [("wte.weight", [V, C]), ("wpe.weight", [P, C])]
    for l in range(L):
        h = f"h.{l}."
        shapes += [(h + "ln_1.weight", [C]), (h + "ln_1.bias", [C]), (h + "attn.c_attn.weight", [C, 3 * C]),
                   (h + "attn.c_attn.bias", [3 * C]), (h + "attn.c_proj.weight", [C, C]), (h + "attn.c_proj.bias", [C]),
                   (h + "ln_2.weight", [C]), (h + "ln_2.bias", [C]), (h + "mlp.c_fc.weight", [C, 4 * C]),
                   (h + "mlp.c_fc.bias", [4 * C]), (h + "mlp.c_proj.weight", [4 * C, C]), (h + "mlp.c_proj.bias", [C])]
    shapes += [("ln_f.weight", [C]), ("ln_f.bias", [C])]
    return [(prefix + n, s) for n, s in shapes]


def encode(values, dtype):
    if dtype == "F32":
        return struct.pack(f"<{len(values)}f", *values)
    if dtype == "F16":
        return struct.pack(f"<{len(values)}e", *values)
    if dtype == "BF16":  # the top half of each F32
        return b"".join(struct.pack("<f", v)[2:] for v in values)
    if dtype == "F64":
        return struct.pack(f"<{len(values)}d", *values)
    raise ValueError(dtype)


def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + blob


def checkpoint(dtype, prefix="", lm_head=False, buffers=False, seed=1):
    rng = random.Random(seed)
    tensors = []
    for name, shape in gpt2_shapes(prefix):
        n = 1
        for s in shape:
            n *= s
        vals = [round(rng.gauss(0, 0.5), 3) for _ in range(n)]
        tensors.append((name, dtype, shape, encode(vals, dtype)))
    if lm_head:
        tensors.append(("lm_head.weight", dtype, [V, C], encode([round(rng.gauss(0, 0.5), 3) for _ in range(V * C)], dtype)))
    if buffers:  # what older Hugging Face exports keep: the causal mask as a tensor
        for l in range(L):
            mask = [1.0 if j <= i else 0.0 for i in range(P) for j in range(P)]
            tensors.append((f"{prefix}h.{l}.attn.bias", "F32", [1, 1, P, P], encode(mask, "F32")))
    return safetensors(tensors, {"format": "pt"})


write("safetensors", "f32.safetensors", checkpoint("F32"))
write("safetensors", "f16-prefixed.safetensors", checkpoint("F16", prefix="transformer.", seed=2))
write("safetensors", "bf16-lm-head.safetensors", checkpoint("BF16", lm_head=True, seed=3))
write("safetensors", "f64-buffers.safetensors", checkpoint("F64", buffers=True, seed=4))

# ---- analyses: 5 token bytes (count 2 + b0 % 3, then ids b % 8), then a checkpoint of the same config
write("analyses", "f32-4-tokens.bin", bytes([2, 1, 5, 3, 7]) + checkpoint("F32", seed=5))
write("analyses", "bf16-2-tokens.bin", bytes([0, 6, 2, 0, 0]) + checkpoint("BF16", lm_head=True, seed=6))

# ---- config.json: the shipped model's, and Hugging Face's gpt2 / distilgpt2 / gpt2-medium layouts
with open(os.path.join(ROOT, "models", "tiny-gpt2", "config.json"), "rb") as f:
    write("config", "tiny-gpt2.json", f.read())
hf_common = {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
             "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
             "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_positions": 1024,
             "resid_pdrop": 0.1, "summary_activation": None, "summary_first_dropout": 0.1,
             "summary_proj_to_labels": True, "summary_type": "cls_index", "summary_use_proj": True,
             "vocab_size": 50257}
write("config", "gpt2.json", json.dumps(dict(hf_common, n_embd=768, n_head=12, n_layer=12,
                                             task_specific_params={"text-generation": {"do_sample": True, "max_length": 50}}), indent=2))
write("config", "distilgpt2.json", json.dumps(dict(hf_common, n_embd=768, n_head=12, n_layer=6, _num_labels=1), indent=2))
write("config", "gpt2-medium.json", json.dumps(dict(hf_common, n_embd=1024, n_head=16, n_layer=24, n_special=0,
                                                    predict_special_tokens=True), indent=2))

# ---- BPE: the byte tokens of the real vocab.json plus what its first merges make
with open(os.path.join(TOKENIZER, "vocab.json"), encoding="utf-8") as f:
    vocab = json.load(f)
with open(os.path.join(TOKENIZER, "merges.txt"), encoding="utf-8") as f:
    merge_lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#version")]


def mini_tokenizer(n_merges):
    merges = merge_lines[:n_merges]
    keep = {tok for tok, i in vocab.items() if i < 256}
    keep |= {a + b for a, b in (m.split(" ") for m in merges)}
    mini = {tok: i for i, tok in enumerate(sorted(keep, key=lambda t: vocab[t]))}
    return mini, merges


texts = ["The quick brown fox jumps over the lazy dog. It's 3:14 and they're testing attention's selectivity!",
         "  leading spaces,\ttabs\nnewlines\r\n  and   runs of   spaces   ",
         "caf\u00e9 na\u00efve \u65e5\u672c\u8a9e \U0001F600 \u0645\u0631\u062d\u0628\u0627 e\u0301 \u00df \u2014 \u00bd",
         "I'm we'll you've she'd THEY'RE 1234567890 3.14159 #include <vector> x+=y*2;"]
for i, n in enumerate((60, 400)):
    mini, merges = mini_tokenizer(n)
    vocab_json = json.dumps(mini, ensure_ascii=False)
    merges_txt = "#version: 0.2\n" + "\n".join(merges) + "\n"
    write("bpe", f"mini-{n}-merges.bin", vocab_json + "\0" + merges_txt + "\0" + texts[i])
    spelled = [m if i == 0 else m.split(" ") for m in merges]  # both spellings tokenizer.json files use
    tj = {"version": "1.0", "added_tokens": [{"id": len(mini), "content": "<|endoftext|>", "special": True}],
          "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
          "model": {"type": "BPE", "dropout": None, "unk_token": None, "vocab": mini, "merges": spelled}}
    write("tokenizer_json", f"mini-{n}-merges.bin", json.dumps(tj, ensure_ascii=False) + "\0" + texts[2 + i])

# tokenizer.json pipelines beyond GPT-2's: Qwen's (NFC, its Split regex, ignore_merges) over the small byte-level
# vocabulary, and a SentencePiece-style BPE (Prepend + Replace normalizers or Metaspace, byte fallback, <unk>)
QWEN_REGEX = ("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
              "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")
mini, merges = mini_tokenizer(60)
tj = {"version": "1.0", "added_tokens": [{"id": len(mini), "content": "<|im_start|>", "special": True}],
      "normalizer": {"type": "NFC"},
      "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
          {"type": "Split", "pattern": {"Regex": QWEN_REGEX.replace("\\\\", "\\")}, "behavior": "Isolated", "invert": False},
          {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
      "model": {"type": "BPE", "dropout": None, "unk_token": None, "ignore_merges": True, "vocab": mini, "merges": merges}}
write("tokenizer_json", "mini-qwen-nfc.bin", json.dumps(tj, ensure_ascii=False) + "\0" + "<|im_start|>" + texts[2])
pieces = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + list("\u2581abcdefghijklmnopqrstuvwxyzTI.,'")
sp_merges = [["\u2581", "t"], ["h", "e"], ["\u2581t", "he"], ["\u2581", "a"], ["i", "n"]]
sp_vocab = {p: i for i, p in enumerate(pieces + ["\u2581t", "he", "\u2581the", "\u2581a", "in"])}
for name, norm, pre in [
        ("sentencepiece-prepend", {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                   {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}, None),
        ("sentencepiece-metaspace", None, {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": True})]:
    tj = {"version": "1.0", "added_tokens": [{"id": 1, "content": "<s>", "special": True}], "normalizer": norm, "pre_tokenizer": pre,
          "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "fuse_unk": True, "byte_fallback": True,
                    "vocab": sp_vocab, "merges": sp_merges}}
    write("tokenizer_json", name + ".bin", json.dumps(tj, ensure_ascii=False) + "\0" + "<s>The cat in the hat " + texts[2])

# ---- text for the real GPT-2 tokenizer
for i, t in enumerate(texts):
    write("bpe_text", f"text-{i}.txt", t)
with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
    write("bpe_text", "readme-start.txt", f.read()[:3000])
print("fuzz seeds written to", SEEDS, file=sys.stderr)
