// Helpers for the tests of the WebAssembly build (build/wasm): load the module in node and compare its
// reports with the native CLI's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from '../cli/helpers.mjs';
import { Engine } from '../../web/engine.js';

export const wasmDir = process.env.ATTNLAB_WASM_DIR ?? join(repo, 'build', 'wasm');

// A fresh Engine over a fresh module instance (Node cannot fetch the .wasm from a path: pass its bytes).
export async function createEngine() {
  const { default: createAttnlab } = await import(join(wasmDir, 'attnlab.mjs'));
  const module = await createAttnlab({ wasmBinary: readFileSync(join(wasmDir, 'attnlab.wasm')) });
  return new Engine(module);
}

// The checkpoint folder's files as {name: Uint8Array}.
export function checkpointFiles(dir, names = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt']) {
  const files = {};
  for (const n of names) files[n] = new Uint8Array(readFileSync(join(dir, n)));
  return files;
}

// Every number in `actual` equals the one in `expected` within rel * max(|a|, |b|) + abs; same shape,
// same strings. Keys in `skip` are not compared. Returns a list of differences (empty when equal).
// `slack(path, a, b)`: an extra absolute tolerance for one number, for figures whose own precision is known.
export function compareNumbers(actual, expected, { rel = 1e-5, abs = 0, skip = [], path = '', slack = () => 0 } = {}) {
  const out = [];
  const walk = (a, b, p) => {
    if (typeof b === 'number' || typeof a === 'number') {
      if (typeof a !== 'number' || typeof b !== 'number') out.push(`${p}: ${a} vs ${b}`);
      else if (Math.abs(a - b) > rel * Math.max(Math.abs(a), Math.abs(b)) + abs + slack(p, a, b)) out.push(`${p}: ${a} vs ${b}`);
    } else if (Array.isArray(b)) {
      if (!Array.isArray(a) || a.length !== b.length) out.push(`${p}: length ${a && a.length} vs ${b.length}`);
      else b.forEach((x, i) => walk(a[i], x, `${p}[${i}]`));
    } else if (b && typeof b === 'object') {
      if (!a || typeof a !== 'object') { out.push(`${p}: ${a} vs object`); return; }
      const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !skip.includes(k)));
      for (const k of keys) walk(a[k], b[k], `${p}.${k}`);
    } else if (a !== b) out.push(`${p}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  };
  walk(actual, expected, path);
  return out;
}
