#!/usr/bin/env python3
"""`attnlab analyze selectivity`, `sensitivity` and `paper` against a second implementation.

The model runs in PyTorch float64 (torch_gpt2.gpt2); the selectivity measures are
recomputed with numpy from the reference attention, the Jacobian norms with torch.linalg.eigvalsh on each
row's explicit Jacobian, and the loss gradients with autograd; the paper's d~, distinguishable share, critical N and
lemma quantities by brute force over each row's top-N sets in numpy. Prints the largest differences; exits 1
on a mismatch.
"""
import json, math, os, subprocess, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_gpt2 import gpt2, load, work_dir_from_args  # noqa: E402
import torch_families  # noqa: E402

TOL = 1e-4
worst = {}


def close(label, got, ref, tol=TOL, floor=1e-3):
    if got is None or ref is None or (isinstance(ref, float) and math.isnan(ref)):
        ok = (got is None) == (ref is None or math.isnan(ref))
        d = 0.0 if ok else float('inf')
    else:
        d = abs(got - ref) / max(abs(ref), floor)
    key = label.split('[')[0]
    worst[key] = max(worst.get(key, 0.0), d)
    if d > tol:
        print(f'FAIL {label}: attnlab {got} vs reference {ref} (rel {d:.2e})')
        return False
    return True


def quartiles(values):
    v = np.array([x for x in values if np.isfinite(x)])
    if len(v) == 0:
        return (None, None, None)
    return tuple(float(np.quantile(v, q)) for q in (0.25, 0.5, 0.75))  # linear interpolation, as attnlab


def analysis(cli, d, text, name, flags):
    """`attnlab analyze NAME` on the text, and the text's token ids; (None, None) with a FAIL line on an error."""
    out = subprocess.run([cli, 'analyze', name, '--model', d, '--text', text, *flags], capture_output=True, text=True)
    if out.returncode != 0:
        print(f'FAIL {name}: ' + out.stderr)
        return None, None
    ids = json.loads(subprocess.run([cli, 'tokenize', '--model', d, '--text', text], capture_output=True, text=True).stdout)['ids']
    return json.loads(out.stdout), ids


def check_selectivity(cli, d, text, cfg, w):
    ks = [1, 2, 4]
    eps = 0.1
    got, ids = analysis(cli, d, text, 'selectivity', ['--k', ','.join(map(str, ks)), '--eps', str(eps), '--heads', '1:0'])
    if got is None:
        return False
    ref = gpt2(cfg, w, ids)
    probs, qs, ks_ = ref['probs'], ref['q'], ref['k']
    T = len(ids)
    ok = True
    scale = 1 / math.sqrt(cfg['n_embd'] // cfg['n_head'])
    per_layer_n = {}
    for h in got['heads']:
        P = probs[(h['layer'], h['head'])]
        ent, frac, tv, pmax, k90, mass = [], [], [], [], [], {k: [] for k in ks}
        impossible = {k: [] for k in ks}
        ceiling_mass = {k: [] for k in ks}
        for i in range(1, T):
            p = P[i, :i + 1]
            n = i + 1
            H = -sum(x * math.log(x) for x in p if x > 0)
            ent.append(H / math.log(n))
            frac.append(math.exp(H) / n)
            tv.append(0.5 * np.abs(p - 1 / n).sum())
            srt = np.sort(p)[::-1]
            pmax.append(srt[0])
            k90.append(int(np.argmax(np.cumsum(srt) >= 0.9 - 1e-9)) + 1)
            qn = np.linalg.norm(qs[(h['layer'], h['head'])][i])
            kmax = max(np.linalg.norm(ks_[(h['layer'], h['head'])][j]) for j in range(n))
            for k in ks:
                if k < n:
                    mass[k].append(srt[:k].sum())
                    needed = math.log((n - k) * (1 - eps) / (k * eps))
                    impossible[k].append(1.0 if needed > 2 * qn * kmax * scale else 0.0)
                    ceiling_mass[k].append(k / (k + (n - k) * math.exp(-2 * qn * kmax * scale)))
            per_layer_n.setdefault((h['layer'], n), []).append(ent[-1])
        tag = f'{h["layer"]}:{h["head"]}'
        ok &= close(f'entropy_norm[{tag}]', h['entropy_norm'], float(np.mean(ent)))
        ok &= close(f'n_eff_frac[{tag}]', h['n_eff_frac'], float(np.mean(frac)))
        ok &= close(f'tv_uniform[{tag}]', h['tv_uniform'], float(np.mean(tv)))
        ok &= close(f'p_max[{tag}]', h['p_max'], float(np.mean(pmax)))
        ok &= close(f'k90[{tag}]', h['k90'], float(np.mean(k90)))
        for idx, k in enumerate(ks):
            ok &= close(f'mass[{tag} k={k}]', h['mass'][idx], float(np.mean(mass[k])))
            ok &= close(f'ceiling_mass[{tag} k={k}]', h['ceiling_mass'][idx], float(np.mean(ceiling_mass[k])))
            ok &= close(f'impossible_fraction[{tag} k={k}]', h['impossible_fraction'][idx], float(np.mean(impossible[k])), tol=1e-9, floor=1.0)
    for layer in got['layers']:
        for n in range(2, T + 1):
            q1, med, q3 = quartiles(per_layer_n[(layer['layer'], n)])
            ok &= close(f'entropy band median[layer {layer["layer"]} N={n}]', layer['entropy_norm']['median'][n - 1], med)
            ok &= close(f'entropy band q1[layer {layer["layer"]} N={n}]', layer['entropy_norm']['q1'][n - 1], q1)
    print(('ok   ' if ok else 'FAIL ') + f'selectivity: {len(got["heads"])} heads x {T} tokens, every mean and band')
    return ok


def reference(cfg, w, ids, temperature=1.0, grads=False):
    if cfg['model_type'] == 'gpt2':
        return gpt2(cfg, w, ids, temperature, grads=grads)
    return torch_families.forward(cfg, w, ids, temperature, grads=grads)


def check_sensitivity(cli, d, text, cfg, w, label='sensitivity'):
    got, ids = analysis(cli, d, text, 'sensitivity', ['--temperatures', '0.2:3:3'])
    if got is None:
        return False
    ok = True
    heads = cfg.get('n_head') or cfg.get('num_attention_heads') or cfg.get('num_heads')
    for ti, temperature in enumerate(got['temperatures']):
        ref = reference(cfg, w, ids, temperature, grads=True)
        loss, probs, layer_param, layer_scores = ref['loss'], ref['probs'], ref['layer_param_grad'], ref['layer_score_grad']
        ok &= close(f'loss[T={temperature:.3g}]', got['loss'][ti], loss)
        for l, layer in enumerate(got['layers']):
            ok &= close(f'param_grad_norm[layer {l} T={temperature:.3g}]', layer['param_grad_norm'][ti], layer_param[l])
            ok &= close(f'score_grad_norm[layer {l} T={temperature:.3g}]', layer['score_grad_norm'][ti], layer_scores[l])
            spectral, frob = [], []
            for h in range(heads):
                P = probs[(l, h)]
                for i in range(1, len(ids)):
                    p = torch.tensor(P[i, :i + 1], dtype=torch.float64)
                    J = (torch.diag(p) - torch.outer(p, p)) / temperature
                    spectral.append(float(torch.linalg.eigvalsh(J).max()))
                    frob.append(float(torch.linalg.norm(J)))
            q1, med, q3 = quartiles(spectral)
            ok &= close(f'jacobian_spectral median[layer {l} T={temperature:.3g}]', layer['jacobian_spectral']['median'][ti], med)
            ok &= close(f'jacobian_spectral max[layer {l} T={temperature:.3g}]', layer['jacobian_spectral']['max'][ti], max(spectral))
            ok &= close(f'jacobian_frobenius median[layer {l} T={temperature:.3g}]', layer['jacobian_frobenius']['median'][ti], quartiles(frob)[1])
    fd = got['fd_check']
    for ti in range(len(got['temperatures'])):
        ok &= close(f'fd measured vs predicted[{ti}]', fd['measured'][ti], fd['predicted'][ti], tol=0.05, floor=1e-6)
    print(('ok   ' if ok else 'FAIL ') + f'{label}: loss, gradient norms and Jacobian norms at {len(got["temperatures"])} temperatures')
    return ok

def paper_row(p, x, N):
    """d~, W and the distinguishable share of the top-N set, from the sets themselves (no running sums)."""
    order = np.argsort(-p, kind='stable')
    S, R = order[:N], order[N:]
    s = (p[S, None] * x[S]).sum(0)
    d = float(np.linalg.norm((p[R, None] * x[R]).sum(0) - s))
    W = float((p * np.linalg.norm(x, axis=1)).sum())
    y = p[:, None] * x
    to_s = np.linalg.norm(y - s, axis=1)
    return d, W, float((to_s[S] < to_s[R].min()).mean())


def check_paper(cli, d, text, cfg, w):
    tops, rhos, lengths, delta = [1, 2, 3], [0.25, 0.5], [8, 12, 19], 0.5  # delta: some rows reach it, some never
    got, ids = analysis(cli, d, text, 'paper', ['--top-n', '1,2,3', '--rho', '0.25,0.5', '--lengths', '8,12,19',
                                                '--delta', str(delta), '--temperatures', '0.05:5:3'])
    if got is None:
        return False
    ref = gpt2(cfg, w, ids)
    # the gradient lemma's rows come from the whole network run at each temperature (the sensitivity analysis's protocol)
    at_t = [gpt2(cfg, w, ids, T) for T in got['temperatures']]
    ok = True
    for l in range(cfg['n_layer']):
        for li, L in enumerate(lengths):
            fixed = {N: [] for N in tops}
            prop = {r: [] for r in rhos}
            crit = []
            for h in range(cfg['n_head']):
                p = ref['probs'][(l, h)][L - 1, :L]
                x = ref['v'][(l, h)][:L]
                for N in tops:
                    fixed[N].append(paper_row(p, x, N))
                for r in rhos:
                    prop[r].append(paper_row(p, x, math.ceil(r * L)))
                first = next((k for k in range(1, L) if paper_row(p, x, k)[0] <= delta * paper_row(p, x, k)[1]), None)
                crit.append(first)
            dist, sep = got['distance'][l], got['separability'][l]
            for ni, N in enumerate(tops):
                q1, med, q3 = quartiles([v[0] for v in fixed[N]])
                ok &= close(f'd~ median[layer {l} L={L} N={N}]', dist['fixed_n']['d']['median'][li][ni], med)
                ok &= close(f'd~ q1[layer {l} L={L} N={N}]', dist['fixed_n']['d']['q1'][li][ni], q1)
                ok &= close(f'd~/W median[layer {l} L={L} N={N}]', dist['fixed_n']['d_over_w']['median'][li][ni],
                            quartiles([v[0] / v[1] for v in fixed[N]])[1])
                ok &= close(f'distinguishable median[layer {l} L={L} N={N}]', sep['fixed_n']['median'][li][ni],
                            quartiles([v[2] for v in fixed[N]])[1], tol=1e-9, floor=1.0)
            for ri, r in enumerate(rhos):
                ok &= close(f'd~ proportional median[layer {l} L={L} rho={r}]', dist['proportional']['d']['median'][li][ri],
                            quartiles([v[0] for v in prop[r]])[1])
                ok &= close(f'distinguishable proportional median[layer {l} L={L} rho={r}]', sep['proportional']['median'][li][ri],
                            quartiles([v[2] for v in prop[r]])[1], tol=1e-9, floor=1.0)
            never = sum(c is None for c in crit) / len(crit)
            ok &= close(f'critical never fraction[layer {l} L={L}]', dist['critical_n']['never_fraction'][li], never, tol=1e-9, floor=1.0)
            # the median with "never" counted as beyond every N; None when it falls among the nevers
            reached = sorted(c if c is not None else math.inf for c in crit)
            pos = 0.5 * (len(reached) - 1)
            lo, hi = math.floor(pos), math.ceil(pos)
            m = None if math.inf in (reached[lo], reached[hi]) else reached[lo] + (pos - lo) * (reached[hi] - reached[lo])
            ok &= close(f'critical median[layer {l} L={L}]', dist['critical_n']['median'][li], m, tol=1e-9, floor=1.0)
        for ti, T in enumerate(got['temperatures']):
            diag, top, spec = [], [], []
            for h in range(cfg['n_head']):
                for L in lengths:
                    p = torch.tensor(at_t[ti]['probs'][(l, h)][L - 1, :L], dtype=torch.float64)
                    J = (torch.diag(p) - torch.outer(p, p)) / T
                    diag.append(float(torch.diagonal(J).max()))
                    top.append(float(torch.linalg.norm(J[int(torch.argmax(p))])))
                    spec.append(float(torch.linalg.eigvalsh(J).max()))
            g = got['gradient']['layers'][l]
            ok &= close(f'lemma diagonal max[layer {l} T={T:.3g}]', g['lemma_diagonal']['max'][ti], max(diag))
            # a saturated row's 1 - p_max is below float32's resolution: compare against the bound's scale
            ok &= close(f'lemma diagonal median[layer {l} T={T:.3g}]', g['lemma_diagonal']['median'][ti], quartiles(diag)[1],
                        floor=1e-3 / (4 * T))
            ok &= close(f'top weight grad max[layer {l} T={T:.3g}]', g['top_weight_grad']['max'][ti], max(top))
            ok &= close(f'jacobian spectral max[layer {l} T={T:.3g}]', g['jacobian_spectral']['max'][ti], max(spec))
            # the shares of rows near each ceiling (within a factor 2) and saturated (below 1e-3 of it); a row exactly at a
            # threshold could fall either side in float32, so the recomputation counts those as agreeing either way
            for q, vals, ceiling in (('lemma_diagonal', diag, 1 / (4 * T)), ('jacobian_spectral', spec, 1 / (2 * T))):
                for key, test in (('near_bound', lambda v: v >= 0.5 * ceiling), ('saturated', lambda v: v < 1e-3 * ceiling)):
                    want = float(np.mean([test(v) for v in vals]))
                    ok &= close(f'{key} {q}[layer {l} T={T:.3g}]', g[key][q][ti], want, tol=1.5 / len(vals), floor=1.0)
    print(('ok   ' if ok else 'FAIL ') + f'paper: d~, d~/W, distinguishable share, critical N and the lemma at {len(lengths)} lengths')
    return ok


def main():
    args = work_dir_from_args()
    d = os.path.join(args.work, 'model')
    subprocess.run([args.cli, 'make-random', '--out', d, '--layers', '2', '--heads', '4', '--embd', '32', '--ctx', '64',
                    '--std', '0.3', '--jitter', '0.1', '--seed', '21'], check=True, capture_output=True)
    cfg, w = load(d)
    text = 'Attention decides which earlier tokens each token reads from; selectivity fades as more tokens compete.'
    ok = check_selectivity(args.cli, d, text, cfg, w)
    ok &= check_sensitivity(args.cli, d, text, cfg, w)
    ok &= check_paper(args.cli, d, text, cfg, w)
    # sensitivity's backward pass through RMSNorm, rotary positions, grouped-query attention, SwiGLU, Qwen3's q/k
    # norm, the parallel residual and GPT-Neo's local layers, against autograd on each family
    for family, flags in [('llama', ['--kv-heads', '2']), ('qwen2', ['--kv-heads', '1']), ('qwen3', ['--head-dim', '12']),
                          ('gpt-neox', []), ('gpt-neox', ['--sequential-residual']),
                          # GPT-Neo's scores are not divided by sqrt(d): with weights of 0.3 its rows at T = 0.2 were so
                          # sharp that attnlab's float32 and the float64 reference differed by 2e-4 in layer 0's gradient
                          # norm, and the finite-difference check by 7%; with 0.15 it is held to the same 1e-4
                          ('gpt-neo', ['--window', '5', '--std', '0.15'])]:
        fd = os.path.join(args.work, family + '-'.join(flags))
        subprocess.run([args.cli, 'make-random', '--out', fd, '--family', family, '--layers', '2', '--heads', '4', '--embd', '32',
                        '--inner', '48', '--ctx', '64', '--std', '0.3', '--jitter', '0.1', '--seed', '23', *flags],
                       check=True, capture_output=True)
        fcfg, fw = load(fd)
        ok &= check_sensitivity(args.cli, fd, text, fcfg, fw, f'sensitivity on {family} {" ".join(flags)}'.strip())
    print('largest relative differences: ' + ', '.join(f'{k} {v:.1e}' for k, v in sorted(worst.items())))
    print('1 passed, 0 failed' if ok else '0 passed, 1 failed')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
