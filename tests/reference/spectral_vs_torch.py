#!/usr/bin/env python3
"""`attnlab train --attention spectral` against an independent implementation of the same formula.

One training step on one window (the corpus is exactly one window and one token long, so the window is known) with a
learning rate so small that the weights do not move: then the training state holds the initial W, AdamW's first moment
holds 0.1 x the gradient, and the log holds the step's loss and the conditioning probe of the initial model. Checked:
  lambda = L x sigma_max of each initial C x C block of c_attn.weight (numpy SVD);
  the written checkpoint holds W + lambda I (float32, to the bit);
  the loss and every parameter's gradient against PyTorch float64 autograd through W + lambda I (torch_gpt2.gpt2);
  log10 kappa_2 of W_Q, W_K, W_V + lambda I, and the median log10 kappa_2 of the attention matrices, against numpy.
Prints the largest differences; exits 1 on a mismatch.
"""
import json, math, os, subprocess, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_gpt2 import gpt2, load, read_safetensors, work_dir_from_args  # noqa: E402

failures = []
worst = {}


def check(label, got, ref, tol):
    got, ref = np.asarray(got, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    d = float(np.linalg.norm(got - ref) / max(np.linalg.norm(ref), 1e-12))
    worst[label.split('[')[0]] = max(worst.get(label.split('[')[0], 0.0), d)
    if not d <= tol:
        failures.append(f'{label}: relative difference {d:.2e} (tolerance {tol:.0e})')


def main():
    args = work_dir_from_args()
    cli, work = args.cli, args.work
    text = ('Spectral conditioning adds a multiple of the identity to the query, key and value projections before training; '
            'the added identity is fixed and is not a parameter.')
    corpus = os.path.join(work, 'corpus.txt')
    with open(corpus, 'w') as f:
        f.write(text)
    ids = json.loads(subprocess.run([cli, 'tokenize', '--model', os.path.join(os.path.dirname(__file__), '../../models/tiny-gpt2'),
                                     '--text-file', corpus], capture_output=True, text=True, check=True).stdout)['ids']
    T = len(ids) - 1  # one window of T tokens fits exactly once: it starts at 0
    relative = 0.7
    out = os.path.join(work, 'run')
    r = subprocess.run([cli, 'train', '--corpus', corpus, '--val-corpus', corpus, '--val-fraction', '0', '--out', out,
                        '--layers', '2', '--heads', '2', '--embd', '16', '--ctx', str(T + 4), '--seq-len', str(T),
                        '--steps', '1', '--batch', '1', '--lr', '1e-30', '--min-lr', '0', '--warmup', '0', '--clip', '0',
                        '--weight-decay', '0', '--init-std', '0.3', '--seed', '5', '--threads', '1', '--dtype', 'F32',
                        '--eval-every', '1', '--eval-windows', '1', '--kappa-windows', '1',
                        '--attention', 'spectral', '--spectral-lambda', str(relative)], capture_output=True, text=True)
    if r.returncode != 0:
        print('FAIL attnlab train: ' + r.stderr)
        sys.exit(1)
    cfg, ckpt = load(out)
    C, L = cfg['n_embd'], cfg['n_layer']
    state = read_safetensors(os.path.join(out, 'training_state.safetensors'))
    params, adam_m = state['params'].numpy().astype(np.float32), state['adam_m'].numpy().astype(np.float32)
    log = json.load(open(os.path.join(out, 'training_log.json')))
    probe = [json.loads(line) for line in open(os.path.join(out, 'conditioning_log.jsonl'))][0]

    # the flat parameter vector in checkpoint order (the file's tensors by offset)
    raw = open(os.path.join(out, 'model.safetensors'), 'rb').read()
    header = json.loads(raw[8:8 + int.from_bytes(raw[:8], 'little')])
    names = sorted((k for k in header if k != '__metadata__'), key=lambda k: header[k]['data_offsets'][0])
    offsets, at = {}, 0
    for k in names:
        n = int(np.prod(header[k]['shape']))
        offsets[k.removeprefix('transformer.')] = (at, header[k]['shape'])
        at += n
    if at != params.size:
        print(f'FAIL the checkpoint holds {at} values, the training state {params.size}')
        sys.exit(1)
    flat = lambda v, k: v[offsets[k][0]:offsets[k][0] + int(np.prod(offsets[k][1]))].reshape(offsets[k][1])

    lambdas = []
    for l in range(L):
        w = flat(params, f'h.{l}.attn.c_attn.weight')
        blocks = [w[:, b * C:(b + 1) * C].astype(np.float64) for b in range(3)]
        lam = [relative * np.linalg.svd(b, compute_uv=False)[0] for b in blocks]
        lambdas.append(lam)
        check(f'lambda[layer {l}]', log['spectral_lambdas'][3 * l:3 * l + 3], lam, 1e-6)
        effective = w.copy()
        for b in range(3):
            effective[np.arange(C), b * C + np.arange(C)] += np.float32(log['spectral_lambdas'][3 * l + b])
        if not np.array_equal(ckpt[f'h.{l}.attn.c_attn.weight'].numpy().astype(np.float32), effective):
            failures.append(f'layer {l}: the checkpoint\'s c_attn.weight is not the training state\'s W + lambda I')
        for b, key in enumerate(['q', 'k', 'v']):
            check(f'log10 kappa W_{key}[layer {l}]', probe[f'log10_kappa_{key}'][l],
                  math.log10(np.linalg.cond(blocks[b] + lam[b] * np.eye(C))), 1e-6)
        # every other tensor is the training state's own
    for k in offsets:
        if 'c_attn.weight' not in k and not np.array_equal(ckpt[k].numpy().astype(np.float32), flat(params, k)):
            failures.append(f'{k}: the checkpoint differs from the training state')

    # the model of the training state's W, conditioned, in float64 autograd
    w64 = {k: torch.tensor(flat(params, k).astype(np.float64)) for k in offsets}
    ref = gpt2(cfg, w64, ids[:T], grads=True, qkv_shift=lambdas)
    check('loss', log['steps'][0][1], ref['loss'], 1e-5)
    grads = adam_m.astype(np.float64) / (1.0 - float(np.float32(0.9)))
    for k in offsets:
        check(f'gradient[{k}]', flat(grads, k), ref['param_grads'][k], 1e-3)
    # the attention matrices' median log10 kappa on the probe's window (the validation text's first T tokens)
    probs = gpt2(cfg, w64, ids[:T], qkv_shift=lambdas)['probs']
    for l in range(L):
        logs = [math.log10(np.linalg.cond(probs[(l, h)])) for h in range(cfg['n_head'])]
        check(f'attention log10 kappa[layer {l}]', probe['attention_log10_kappa'][l], float(np.median(logs)), 1e-5)

    print('largest relative differences: ' + ', '.join(f'{k} {v:.1e}' for k, v in sorted(worst.items())))
    for f in failures:
        print('FAIL ' + f)
    print('0 passed, 1 failed' if failures else '1 passed, 0 failed')
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
