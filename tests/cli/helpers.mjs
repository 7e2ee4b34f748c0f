// Helpers for the CLI tests: run attnlab, make a small random checkpoint, rewrite safetensors headers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = process.env.ATTNLAB_CLI ?? join(repo, 'build', 'native', 'attnlab');

// Runs attnlab; returns {code, stdout, stderr, json}. Times out (and fails) rather than hang.
export function attnlab(args, options = {}) {
  const r = spawnSync(cli, args, { encoding: 'utf8', timeout: 120000, maxBuffer: 1 << 28, ...options });
  if (r.error) throw r.error;
  let json = null;
  if (r.status === 0 && !(args.includes('--help') || args[0] === 'help')) json = JSON.parse(r.stdout);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, json };
}

// A fresh folder under the system's temporary directory, removed when the test process exits.
const madeDirs = [];
process.on('exit', () => {
  for (const d of madeDirs) rmSync(d, { recursive: true, force: true });
});
export function tempDir(prefix = 'attnlab-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export function makeModel(flags = []) {
  const dir = join(tempDir(), 'model');
  const r = attnlab(['make-random', '--out', dir, '--layers', '2', '--heads', '2', '--embd', '16', '--ctx', '32',
    '--std', '0.2', ...flags]);
  if (r.code !== 0) throw new Error('make-random failed: ' + r.stderr);
  return dir;
}

export function copyModel(dir) {
  const copy = join(tempDir(), 'model');
  cpSync(dir, copy, { recursive: true });
  return copy;
}

// Reads model.safetensors as {header, data}; writeSafetensors puts it back (optionally with raw header text).
export function readSafetensors(dir) {
  const bytes = readFileSync(join(dir, 'model.safetensors'));
  const n = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')), data: bytes.subarray(8 + n) };
}

export function writeSafetensors(dir, header, data, rawHeader = null) {
  const text = Buffer.from(rawHeader ?? JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  writeFileSync(join(dir, 'model.safetensors'), Buffer.concat([len, text, data]));
}

// Splits dir's model.safetensors into two shards and an index, as Hugging Face writes large checkpoints.
export function shardCheckpoint(dir) {
  const { header, data } = readSafetensors(dir);
  const names = Object.keys(header).filter((n) => n !== '__metadata__');
  const files = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const index = { metadata: { total_size: data.length }, weight_map: {} };
  files.forEach((file, k) => {
    const mine = names.filter((_, i) => (i < names.length / 2) === (k === 0));
    const h = {};
    const parts = [];
    let at = 0;
    for (const n of mine) {
      const [b, e] = header[n].data_offsets;
      h[n] = { ...header[n], data_offsets: [at, at + e - b] };
      parts.push(data.subarray(b, e));
      at += e - b;
      index.weight_map[n] = file;
    }
    let text = JSON.stringify(h);
    text += ' '.repeat((8 - (text.length % 8)) % 8);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(text.length));
    writeFileSync(join(dir, file), Buffer.concat([len, Buffer.from(text), ...parts]));
  });
  rmSync(join(dir, 'model.safetensors'));
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
}
