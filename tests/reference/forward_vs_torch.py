#!/usr/bin/env python3
"""The CLI's forward pass against independent PyTorch implementations of GPT-2 and of the other families.

For random checkpoints written by `attnlab make-random` (GPT-2 in F32, F16, BF16, with prefixed names, an untied
lm_head, inverse-layer-index scaling; Llama with grouped-query attention, also untied and in BF16; Qwen2 with its
q/k/v biases; Qwen3 with head_dim != hidden / heads; GPT-NeoX with the parallel residual on and off; GPT-Neo with a
local window shorter than the text), runs `attnlab run --attention all` and recomputes everything in PyTorch from
the safetensors bytes (parsed here with json + numpy, not with attnlab's reader). Checks, to 1e-4 relative:
the loss, the 20 largest last-position logits (ids and values), and every head's attention rows (absolute).
Prints the largest differences seen; exits 1 on any mismatch.
"""
import json, os, subprocess, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_gpt2 import gpt2, load, work_dir_from_args  # noqa: E402
import torch_families  # noqa: E402

TOL = 1e-4


def rel(a, b, floor=1e-3):
    return abs(a - b) / max(abs(b), floor)


def check(cli, model_dir, ids, temperature, label, worst):
    cfg, w = load(model_dir)
    out = subprocess.run([cli, 'run', '--model', model_dir, '--ids', ','.join(map(str, ids)), '--attention', 'all',
                          '--temperature', str(temperature)], capture_output=True, text=True)
    if out.returncode != 0:
        print(f'FAIL {label}: attnlab exited {out.returncode}: {out.stderr}')
        return False
    got = json.loads(out.stdout)
    ref = gpt2(cfg, w, ids, temperature) if cfg['model_type'] == 'gpt2' else torch_families.forward(cfg, w, ids, temperature)
    logits, loss, probs = ref['logits'], ref['loss'], ref['probs']
    ok = True
    d_loss = rel(got['loss'], loss)
    last = logits[-1]
    top_ref = torch.topk(last, 20)
    d_logit = max(rel(v, last[i].item()) for i, v in got['logits_top'])
    # the ids must be the reference's top 20 (up to ties closer than the tolerance)
    ref_ids = set(top_ref.indices.tolist())
    kth = top_ref.values[-1].item()
    for i, v in got['logits_top']:
        if i not in ref_ids and rel(last[i].item(), kth) > TOL:
            print(f'FAIL {label}: id {i} in attnlab top-20 but not in the reference top-20')
            ok = False
    d_att = 0.0
    for key, rows in got['attention'].items():
        ref = probs[tuple(map(int, key.split(':')))]
        for i, row in enumerate(rows):
            if len(row) != i + 1:
                print(f'FAIL {label}: head {key} row {i} has {len(row)} entries')
                ok = False
            d_att = max(d_att, max(abs(p - float(ref[i, j])) for j, p in enumerate(row)))
    if len(got['attention']) != len(probs):
        print(f'FAIL {label}: {len(got["attention"])} heads captured')
        ok = False
    worst['loss'] = max(worst['loss'], d_loss)
    worst['logit'] = max(worst['logit'], d_logit)
    worst['attention'] = max(worst['attention'], d_att)
    line = f'{label}: loss {got["loss"]:.6f} vs {loss:.6f} (rel {d_loss:.2e}); top-20 logits rel {d_logit:.2e}; attention abs {d_att:.2e}'
    if d_loss > TOL or d_logit > TOL or d_att > TOL:
        print('FAIL ' + line)
        return False
    print('ok   ' + line)
    return ok


def main():
    args = work_dir_from_args()
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 50257, size=48).tolist()
    variants = [
        ('F32', ['--dtype', 'F32']),
        ('F16', ['--dtype', 'F16']),
        ('BF16', ['--dtype', 'BF16']),
        ('prefixed names, untied lm_head', ['--prefix', '--untied']),
    ]
    worst = {'loss': 0.0, 'logit': 0.0, 'attention': 0.0}
    ok = True
    for i, (label, flags) in enumerate(variants):
        d = os.path.join(args.work, f'm{i}')
        subprocess.run([args.cli, 'make-random', '--out', d, '--layers', '3', '--heads', '4', '--embd', '64',
                        '--ctx', '64', '--std', '0.25', '--jitter', '0.1', '--seed', str(11 + i)] + flags,
                       check=True, capture_output=True)
        for temperature in (1.0, 0.5):
            ok &= check(args.cli, d, ids, temperature, f'{label}, T={temperature}', worst)
    # inverse-layer-index scaling, switched on in config.json
    d = os.path.join(args.work, 'm0')
    cfg = json.load(open(os.path.join(d, 'config.json')))
    cfg['scale_attn_by_inverse_layer_idx'] = True
    json.dump(cfg, open(os.path.join(d, 'config.json'), 'w'))
    ok &= check(args.cli, d, ids, 1.0, 'scale_attn_by_inverse_layer_idx', worst)
    # the other families: 3 layers, 4 heads, 64 channels, text of 48 tokens
    families = [
        ('Llama, 2 kv heads', ['--family', 'llama', '--kv-heads', '2']),
        ('Llama, 1 kv head, untied, BF16', ['--family', 'llama', '--kv-heads', '1', '--untied', '--dtype', 'BF16']),
        ('Qwen2, q/k/v biases, 2 kv heads', ['--family', 'qwen2', '--kv-heads', '2', '--rope-theta', '1000000']),
        ('Qwen3, head_dim 24 != 64/4, 2 kv heads', ['--family', 'qwen3', '--kv-heads', '2', '--head-dim', '24']),
        ('GPT-NeoX, parallel residual, rotary 25%', ['--family', 'gpt-neox']),
        ('GPT-NeoX, sequential residual, rotary 50%', ['--family', 'gpt-neox', '--sequential-residual', '--rotary-pct', '0.5']),
        ('GPT-Neo, local window 5 on odd layers', ['--family', 'gpt-neo', '--window', '5']),
    ]
    for i, (label, flags) in enumerate(families):
        d = os.path.join(args.work, f'f{i}')
        subprocess.run([args.cli, 'make-random', '--out', d, '--layers', '3', '--heads', '4', '--embd', '64', '--inner', '96',
                        '--ctx', '64', '--std', '0.25', '--jitter', '0.1', '--seed', str(31 + i)] + flags,
                       check=True, capture_output=True)
        for temperature in (1.0, 0.25):
            ok &= check(args.cli, d, ids, temperature, f'{label}, T={temperature}', worst)
    print(f'max relative difference: loss {worst["loss"]:.2e}, top-20 logits {worst["logit"]:.2e}; '
          f'max absolute attention difference {worst["attention"]:.2e} (tolerance {TOL})')
    print('1 passed, 0 failed' if ok else '0 passed, 1 failed')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
