#!/usr/bin/env python3
"""Exports an attnlab GPT-2 checkpoint folder (config.json + model.safetensors, float32) to ONNX for the onnxruntime
comparison of `npm run bench` (scripts/onnx/bench-ort.mjs): the forward pass of T tokens to the logits of every
position, written with Debian's PyTorch (float32, opset 14). A benchmark tool only: attnlab never needs torch or ONNX.
  export_gpt2.py MODEL_DIR OUT.onnx [T]
Prints one JSON line: the file, T, and torch's mean next-token loss on the ids (i * 7919) % V, for a check that
onnxruntime reads the same weights."""
import json, math, os, sys
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'reference'))
from torch_gpt2 import load  # noqa: E402  (the test suite's reader of attnlab's safetensors)

F = torch.nn.functional


class Gpt2(torch.nn.Module):
    def __init__(self, cfg, w, T):
        super().__init__()
        self.C, self.H, self.L, self.T = cfg['n_embd'], cfg['n_head'], cfg['n_layer'], T
        self.eps = cfg.get('layer_norm_epsilon', 1e-5)
        self.w = {k: v.float() for k, v in w.items()}
        for k, v in self.w.items():
            self.register_buffer(k.replace('.', '_'), v)
        self.register_buffer('mask', torch.tril(torch.ones(T, T, dtype=torch.bool)))

    def p(self, name):
        return getattr(self, name.replace('.', '_'))

    def forward(self, ids):
        C, H, T = self.C, self.H, self.T
        hs = C // H
        x = self.p('wte.weight')[ids] + self.p('wpe.weight')[:T]
        for l in range(self.L):
            g = lambda n: self.p(f'h.{l}.{n}')
            h = F.layer_norm(x, (C,), g('ln_1.weight'), g('ln_1.bias'), self.eps)
            q, k, v = (h @ g('attn.c_attn.weight') + g('attn.c_attn.bias')).view(T, 3, H, hs).permute(1, 2, 0, 3)
            s = (q @ k.transpose(-1, -2) / math.sqrt(hs)).masked_fill(~self.mask, float('-inf'))
            y = (torch.softmax(s, -1) @ v).transpose(0, 1).reshape(T, C)
            x = x + y @ g('attn.c_proj.weight') + g('attn.c_proj.bias')
            h = F.layer_norm(x, (C,), g('ln_2.weight'), g('ln_2.bias'), self.eps)
            x = x + F.gelu(h @ g('mlp.c_fc.weight') + g('mlp.c_fc.bias'), approximate='tanh') @ g('mlp.c_proj.weight') + g('mlp.c_proj.bias')
        return F.layer_norm(x, (C,), self.p('ln_f.weight'), self.p('ln_f.bias'), self.eps) @ self.p('wte.weight').T


def main():
    model_dir, out = sys.argv[1], sys.argv[2]
    T = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    cfg, w = load(model_dir)
    if cfg.get('model_type', 'gpt2') != 'gpt2':
        raise SystemExit('export_gpt2.py: a GPT-2 checkpoint only')
    m = Gpt2(cfg, w, T).eval()
    V = cfg['vocab_size']
    ids = torch.tensor([(i * 7919) % V for i in range(T)], dtype=torch.int64)
    with torch.no_grad():
        logits = m(ids)
        loss = F.cross_entropy(logits[:-1], ids[1:]).item()
        torch.onnx.export(m, (ids,), out, input_names=['ids'], output_names=['logits'], opset_version=14,
                          do_constant_folding=False)
    print(json.dumps({'onnx': out, 'tokens': T, 'torch_loss': loss, 'bytes': os.path.getsize(out)}))


if __name__ == '__main__':
    main()
