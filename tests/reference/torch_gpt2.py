"""An independent GPT-2 for reference tests: safetensors parsed with json + numpy, the model written from
the Hugging Face modeling_gpt2 equations in PyTorch float64, gradients from autograd."""
import argparse, json, math, os, shutil, struct
import numpy as np
import torch


def read_safetensors(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, spec in header.items():
        if name == '__metadata__':
            continue
        b, e = spec['data_offsets']
        buf = data[b:e]
        if spec['dtype'] == 'F32':
            arr = np.frombuffer(buf, dtype='<f4')
        elif spec['dtype'] == 'F16':
            arr = np.frombuffer(buf, dtype='<f2').astype(np.float32)
        elif spec['dtype'] == 'BF16':
            arr = (np.frombuffer(buf, dtype='<u2').astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(spec['dtype'])
        key = name[len('transformer.'):] if name.startswith('transformer.') else name
        out[key] = torch.tensor(arr.reshape(spec['shape']).copy(), dtype=torch.float64)
    return out


def load(model_dir):
    cfg = json.load(open(os.path.join(model_dir, 'config.json')))
    return cfg, read_safetensors(os.path.join(model_dir, 'model.safetensors'))


def gpt2(cfg, w, ids, temperature=1.0, grads=False, qkv_shift=None):
    """Runs GPT-2; returns logits, loss, per-head probs/q/k/v and scores (numpy, keyed (layer, head)) and, with grads,
    the gradient norm of each layer's parameters and of each layer's attention scores, and each parameter's gradient.
    qkv_shift: per layer (lambda_q, lambda_k, lambda_v): the layer uses c_attn.weight + [lambda_q I | lambda_k I | lambda_v I]
    (spectral conditioning), the gradients still taken with respect to c_attn.weight."""
    T, C, NH = len(ids), cfg['n_embd'], cfg['n_head']
    hs = C // NH
    eps = cfg.get('layer_norm_epsilon', 1e-5)
    F = torch.nn.functional
    params = {k: v.clone().requires_grad_(grads) for k, v in w.items()}
    x = params['wte.weight'][ids] + params['wpe.weight'][:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    scores, probs, qs, ks, vs, raw = [], {}, {}, {}, {}, {}
    for l in range(cfg['n_layer']):
        p = f'h.{l}.'
        h = F.layer_norm(x, (C,), params[p + 'ln_1.weight'], params[p + 'ln_1.bias'], eps)
        w_attn = params[p + 'attn.c_attn.weight']
        if qkv_shift is not None:
            w_attn = w_attn + torch.cat([lam * torch.eye(C, dtype=torch.float64) for lam in qkv_shift[l]], dim=1)
        qkv = h @ w_attn + params[p + 'attn.c_attn.bias']
        q, k, v = [t.view(T, NH, hs).transpose(0, 1) for t in qkv.split(C, dim=1)]
        s = q @ k.transpose(-1, -2) / math.sqrt(hs)
        if cfg.get('scale_attn_by_inverse_layer_idx'):
            s = s / (l + 1)
        if grads:
            s.retain_grad()
        scores.append(s)
        att = torch.softmax(s.masked_fill(~mask, float('-inf')) / temperature, dim=-1)
        for head in range(NH):
            probs[(l, head)] = att[head].detach().numpy()
            qs[(l, head)] = q[head].detach().numpy()
            ks[(l, head)] = k[head].detach().numpy()
            vs[(l, head)] = v[head].detach().numpy()
            raw[(l, head)] = s[head].detach().numpy()
        y = (att @ v).transpose(0, 1).reshape(T, C)
        x = x + y @ params[p + 'attn.c_proj.weight'] + params[p + 'attn.c_proj.bias']
        h = F.layer_norm(x, (C,), params[p + 'ln_2.weight'], params[p + 'ln_2.bias'], eps)
        h = F.gelu(h @ params[p + 'mlp.c_fc.weight'] + params[p + 'mlp.c_fc.bias'], approximate='tanh')
        x = x + h @ params[p + 'mlp.c_proj.weight'] + params[p + 'mlp.c_proj.bias']
    x = F.layer_norm(x, (C,), params['ln_f.weight'], params['ln_f.bias'], eps)
    logits = x @ params.get('lm_head.weight', params['wte.weight']).T
    loss = F.cross_entropy(logits[:-1], torch.tensor(ids[1:])) if T > 1 else None
    out = {'logits': logits.detach(), 'loss': loss.item() if loss is not None else None, 'probs': probs, 'q': qs, 'k': ks, 'v': vs,
           'scores': raw}
    if grads:
        loss.backward()
        out['layer_param_grad'] = [math.sqrt(sum(float((params[k].grad ** 2).sum()) for k in params if k.startswith(f'h.{l}.')))
                                   for l in range(cfg['n_layer'])]
        out['layer_score_grad'] = [float(torch.sqrt((s.grad.masked_fill(~mask, 0.0) ** 2).sum())) for s in scores]
        out['param_grads'] = {k: params[k].grad.numpy() for k in params}
    return out


def work_dir_from_args():
    """--cli and a fresh --work folder, as ctest passes them."""
    ap = argparse.ArgumentParser()
    ap.add_argument('--cli', required=True)
    ap.add_argument('--work', required=True)
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    return args
