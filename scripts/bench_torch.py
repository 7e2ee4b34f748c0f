#!/usr/bin/env python3
"""The same forward pass in Debian's PyTorch, for reference: GPT-2 124M's shape with random float32 weights,
128 tokens, 1 thread, best of 5 after a warm-up. Prints one JSON line. A benchmark only: attnlab never needs torch."""
import json, math, time
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
L, H, C, V, P, T = 12, 12, 768, 50257, 1024, 128
hs = C // H
F = torch.nn.functional
w = lambda *shape: torch.randn(*shape) * 0.02
wte, wpe = w(V, C), w(P, C)
layers = [dict(ln1=(torch.ones(C), torch.zeros(C)), attn=(w(C, 3 * C), torch.zeros(3 * C)), proj=(w(C, C), torch.zeros(C)),
               ln2=(torch.ones(C), torch.zeros(C)), fc=(w(C, 4 * C), torch.zeros(4 * C)), out=(w(4 * C, C), torch.zeros(C)))
          for _ in range(L)]
lnf = (torch.ones(C), torch.zeros(C))
mask = torch.tril(torch.ones(T, T, dtype=torch.bool))


@torch.no_grad()
def forward(ids):
    x = wte[ids] + wpe[:T]
    for l in layers:
        h = F.layer_norm(x, (C,), *l['ln1'])
        q, k, v = (h @ l['attn'][0] + l['attn'][1]).view(T, 3, H, hs).permute(1, 2, 0, 3)
        s = (q @ k.transpose(-1, -2) / math.sqrt(hs)).masked_fill(~mask, float('-inf'))
        y = (torch.softmax(s, -1) @ v).transpose(0, 1).reshape(T, C)
        x = x + y @ l['proj'][0] + l['proj'][1]
        h = F.layer_norm(x, (C,), *l['ln2'])
        x = x + F.gelu(h @ l['fc'][0] + l['fc'][1], approximate='tanh') @ l['out'][0] + l['out'][1]
    return F.layer_norm(x, (C,), *lnf) @ wte.T


ids = torch.randint(0, V, (T,))
forward(ids)
best = min((lambda t0: (forward(ids), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(5))
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'tokens': T,
                  'forward_seconds': best, 'tokens_per_second': T / best}))
