"""Independent float64 PyTorch implementations of the decoder families attnlab runs beside GPT-2, written from the
published modeling semantics of Hugging Face transformers (modeling_llama, modeling_qwen2, modeling_qwen3,
modeling_gpt_neox, modeling_gpt_neo), reading config.json and the safetensors tensors by their Hugging Face names.
forward() returns what torch_gpt2.gpt2 returns: logits, loss, and each head's probs, q, k, v and scores keyed
(layer, head); q and k are the rotated ones the scores are made of. With grads, autograd adds each layer's parameter
gradient norm and attention-score gradient norm."""
import math
import re

import torch

F = torch.nn.functional


def rms_norm(x, gain, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * gain


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rotary(x, rot, theta):
    """x (heads, T, hd): the first `rot` dimensions turned by position (positions 0..T-1), the rest as they are."""
    T = x.shape[1]
    inv_freq = 1.0 / (theta ** (torch.arange(0, rot, 2, dtype=torch.float64) / rot))
    freqs = torch.arange(T, dtype=torch.float64)[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    xr, xp = x[..., :rot], x[..., rot:]
    return torch.cat((xr * emb.cos() + rotate_half(xr) * emb.sin(), xp), dim=-1)


def linear(w, name, x):
    y = x @ w[name + '.weight'].T
    return y + w[name + '.bias'] if name + '.bias' in w else y


def attend(q, k, v, scale, mask, temperature):
    """q (NH, T, hd), k and v (NH, T, hd): probabilities and outputs of every head."""
    s = (q @ k.transpose(-1, -2)) * scale
    if s.requires_grad:
        s.retain_grad()
    att = torch.softmax(s.masked_fill(~mask, float('-inf')) / temperature, dim=-1)
    return s, att, att @ v


def llama_like(cfg, w, ids, temperature, record):
    T, C, NH = len(ids), cfg['hidden_size'], cfg['num_attention_heads']
    KV = cfg.get('num_key_value_heads') or NH
    hd = cfg.get('head_dim') or C // NH
    eps = cfg.get('rms_norm_eps', 1e-6)
    theta = cfg.get('rope_theta', 10000.0)
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    x = w['model.embed_tokens.weight'][ids]
    for l in range(cfg['num_hidden_layers']):
        p = f'model.layers.{l}.'
        h = rms_norm(x, w[p + 'input_layernorm.weight'], eps)
        q = linear(w, p + 'self_attn.q_proj', h).view(T, NH, hd).transpose(0, 1)
        k = linear(w, p + 'self_attn.k_proj', h).view(T, KV, hd).transpose(0, 1)
        v = linear(w, p + 'self_attn.v_proj', h).view(T, KV, hd).transpose(0, 1)
        if cfg['model_type'] == 'qwen3':
            q = rms_norm(q, w[p + 'self_attn.q_norm.weight'], eps)
            k = rms_norm(k, w[p + 'self_attn.k_norm.weight'], eps)
        q, k = rotary(q, hd, theta), rotary(k, hd, theta)
        k, v = k.repeat_interleave(NH // KV, dim=0), v.repeat_interleave(NH // KV, dim=0)
        s, att, y = attend(q, k, v, 1.0 / math.sqrt(hd), mask, temperature)
        record(l, q, k, v, s, att)
        x = x + linear(w, p + 'self_attn.o_proj', y.transpose(0, 1).reshape(T, NH * hd))
        h = rms_norm(x, w[p + 'post_attention_layernorm.weight'], eps)
        x = x + linear(w, p + 'mlp.down_proj', F.silu(linear(w, p + 'mlp.gate_proj', h)) * linear(w, p + 'mlp.up_proj', h))
    x = rms_norm(x, w['model.norm.weight'], eps)
    return x @ (w['model.embed_tokens.weight'] if cfg.get('tie_word_embeddings') else w['lm_head.weight']).T


def gpt_neox(cfg, w, ids, temperature, record):
    T, C, NH = len(ids), cfg['hidden_size'], cfg['num_attention_heads']
    hd = C // NH
    rot = int(hd * cfg.get('rotary_pct', 0.25))
    theta = cfg.get('rotary_emb_base', 10000.0)
    eps = cfg.get('layer_norm_eps', 1e-5)
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))

    def ln(name, x):
        return F.layer_norm(x, (C,), w[name + '.weight'], w[name + '.bias'], eps)

    def mlp(p, h):
        return linear(w, p + 'mlp.dense_4h_to_h', F.gelu(linear(w, p + 'mlp.dense_h_to_4h', h)))

    x = w['gpt_neox.embed_in.weight'][ids]
    for l in range(cfg['num_hidden_layers']):
        p = f'gpt_neox.layers.{l}.'
        qkv = linear(w, p + 'attention.query_key_value', ln(p + 'input_layernorm', x)).view(T, NH, 3 * hd).transpose(0, 1)
        q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
        q, k = rotary(q, rot, theta), rotary(k, rot, theta)
        s, att, y = attend(q, k, v, 1.0 / math.sqrt(hd), mask, temperature)
        record(l, q, k, v, s, att)
        a = linear(w, p + 'attention.dense', y.transpose(0, 1).reshape(T, C))
        if cfg.get('use_parallel_residual', True):
            x = x + a + mlp(p, ln(p + 'post_attention_layernorm', x))
        else:
            x = x + a
            x = x + mlp(p, ln(p + 'post_attention_layernorm', x))
    x = ln('gpt_neox.final_layer_norm', x)
    return x @ (w['gpt_neox.embed_in.weight'] if cfg.get('tie_word_embeddings') else w['embed_out.weight']).T


def gpt_neo(cfg, w, ids, temperature, record):
    """GPT-Neo (names without the 'transformer.' prefix, which the reader strips): scores are not scaled; a local
    layer's row i sees keys i - window_size < j <= i."""
    T, C, NH = len(ids), cfg['hidden_size'], cfg['num_heads']
    hd = C // NH
    eps = cfg.get('layer_norm_epsilon', 1e-5)
    window = cfg.get('window_size', 256)
    kinds = cfg['attention_layers']
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    local = causal & ~torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=-window)

    def ln(name, x):
        return F.layer_norm(x, (C,), w[name + '.weight'], w[name + '.bias'], eps)

    x = w['wte.weight'][ids] + w['wpe.weight'][:T]
    for l in range(cfg['num_layers']):
        p = f'h.{l}.'
        h = ln(p + 'ln_1', x)
        q, k, v = [linear(w, p + f'attn.attention.{n}_proj', h).view(T, NH, hd).transpose(0, 1) for n in 'qkv']
        s, att, y = attend(q, k, v, 1.0, local if kinds[l] == 'local' else causal, temperature)
        record(l, q, k, v, s, att)
        x = x + linear(w, p + 'attn.attention.out_proj', y.transpose(0, 1).reshape(T, C))
        h = ln(p + 'ln_2', x)
        x = x + linear(w, p + 'mlp.c_proj', F.gelu(linear(w, p + 'mlp.c_fc', h), approximate='tanh'))
    x = ln('ln_f', x)
    return x @ w['wte.weight'].T


FAMILIES = {'llama': llama_like, 'qwen2': llama_like, 'qwen3': llama_like, 'gpt_neox': gpt_neox, 'gpt_neo': gpt_neo}


def forward(cfg, w, ids, temperature=1.0, grads=False):
    probs, qs, ks, vs, raw, scores = {}, {}, {}, {}, {}, []
    params = {name: t.clone().requires_grad_(grads) for name, t in w.items()}

    def record(layer, q, k, v, s, att):
        scores.append((s, att))
        for head in range(q.shape[0]):
            key = (layer, head)
            probs[key], qs[key], ks[key], vs[key], raw[key] = (t[head].detach().numpy() for t in (att, q, k, v, s))

    logits = FAMILIES[cfg['model_type']](cfg, params, ids, temperature, record)
    loss = F.cross_entropy(logits[:-1], torch.tensor(ids[1:])) if len(ids) > 1 else None
    out = {'logits': logits.detach(), 'loss': loss.item() if loss is not None else None, 'probs': probs, 'q': qs, 'k': ks,
           'v': vs, 'scores': raw}
    if grads:
        loss.backward()
        layers = len(scores)
        sq = [0.0] * layers
        for name, t in params.items():
            m = re.search(r'(?:^|\.)(?:layers|h)\.(\d+)\.', name)
            if m and t.grad is not None:
                sq[int(m.group(1))] += float((t.grad ** 2).sum())
        out['layer_param_grad'] = [math.sqrt(v) for v in sq]
        # a masked score (above the diagonal, or outside a local window) has no gradient: its weight is exactly 0
        out['layer_score_grad'] = [float(torch.sqrt((s.grad.masked_fill(att == 0, 0.0) ** 2).sum())) for s, att in scores]
    return out
