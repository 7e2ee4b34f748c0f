// Where checkpoint bytes come from: the shipped model, a Hugging Face repository or any URL (streamed with
// progress, kept in Cache Storage), or local files (file picker, folder picker, drag and drop). Sizes are
// checked before anything is allocated; every failure is an Error whose message says what to do.

export const MAX_CHECKPOINT_BYTES = 3.5 * 2 ** 30;  // a wasm32 heap is 4 GiB, and the weights are converted once
const CACHE_NAME = 'attnlab-checkpoints-v1';
const WEIGHTS = 'model.safetensors';
const TOKENIZER_PAIR = ['vocab.json', 'merges.txt'];

function mib(n) {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

function checkSize(name, size) {
  if (size > MAX_CHECKPOINT_BYTES)
    throw new Error(`${name} is ${mib(size)}; this page can hold at most ${mib(MAX_CHECKPOINT_BYTES)} (a browser tab's wasm memory is 4 GiB)`);
}

// 'openai-community/gpt2', 'distilgpt2', 'https://huggingface.co/gpt2/tree/main', or a URL of a folder or of
// one of its files. Returns {label, url(file)}.
export function resolveRemote(spec) {
  const s = spec.trim();
  if (!s) throw new Error('give a Hugging Face repository id (e.g. openai-community/gpt2) or a URL');
  const hf = s.match(/^https?:\/\/(?:www\.)?huggingface\.co\/([^/?#]+(?:\/[^/?#]+)?)(?:\/(?:tree|resolve|blob)\/([^/?#]+))?/);
  if (hf && !/^(api|datasets|spaces)$/.test(hf[1].split('/')[0])) {
    const rev = hf[2] || 'main';
    return { label: hf[1], url: (f) => `https://huggingface.co/${hf[1]}/resolve/${rev}/${f}` };
  }
  if (/^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/.test(s) && !s.includes('..') && !/\.(json|txt|safetensors)$/.test(s))
    return { label: s, url: (f) => `https://huggingface.co/${s}/resolve/main/${f}` };
  let base;
  try {
    base = new URL(s, globalThis.location ? globalThis.location.href : undefined);
  } catch {
    throw new Error(`'${s}' is neither a Hugging Face repository id nor a URL`);
  }
  const folder = /\.(json|txt|safetensors)$/.test(base.pathname) ? new URL('.', base) : new URL(base.href.endsWith('/') ? base.href : `${base.href}/`);
  return { label: s, url: (f) => new URL(f, folder).href };
}

async function openCache() {
  try {
    return globalThis.caches ? await caches.open(CACHE_NAME) : null;
  } catch {
    return null;  // Cache Storage is unavailable (e.g. an opaque origin): fetch every time
  }
}

// Reads a response body, reporting progress; refuses HTML and short bodies. The weights come back as a
// Blob (never one contiguous copy: the worker reads it chunk by chunk), other files as bytes.
async function readBody(response, name, onProgress, asBlob) {
  const type = response.headers.get('content-type') || '';
  if (type.includes('text/html')) throw webPageError(name);
  const declared = Number(response.headers.get('content-length')) || 0;
  checkSize(name, declared);
  if (!response.body) return asBlob ? response.blob() : new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    let part;
    try {
      part = await reader.read();
    } catch (e) {
      throw new Error(`${name}: the download failed after ${mib(received)} (${e.message}); try again`);
    }
    if (part.done) break;
    chunks.push(part.value);
    received += part.value.length;
    checkSize(name, received);
    onProgress(received, declared);
  }
  if (declared && received < declared)
    throw new Error(`${name}: the download stopped at ${mib(received)} of ${mib(declared)}; try again`);
  if (looksLikeHtml(chunks[0])) throw webPageError(name);
  if (asBlob) return new Blob(chunks);
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

function webPageError(name) {
  return new Error(`${name}: the server returned a web page, not the file (is the URL a checkpoint folder or a Hugging Face repository id?)`);
}

// A body that starts like an HTML document (a login or error page served with a non-HTML type).
function looksLikeHtml(first) {
  if (!first) return false;
  const head = new TextDecoder().decode(first.subarray(0, 64)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

// Fetches one file; resolves null for a 404 when optional. Fresh downloads are added to `fresh` (url ->
// bytes), for the cache once the model has loaded: a download cut short is never kept.
async function fetchFile(url, name, { cache, optional, onProgress, fresh }) {
  let response = cache ? await cache.match(url) : undefined;
  const cached = Boolean(response);
  if (!response) {
    try {
      response = await fetch(url);
    } catch (e) {
      throw new Error(`${name}: could not reach ${url} (${e.message}); check the address and your connection`);
    }
  }
  if (response.status === 404 && optional) return null;
  if (!response.ok) throw new Error(`${name}: ${url} answered HTTP ${response.status}${response.status === 401 ? ' (a private or gated repository)' : ''}`);
  const bytes = await readBody(response, name, onProgress, name === WEIGHTS);
  if (!cached) fresh.set(url, bytes);
  return bytes;
}

// {label, files: {name: Uint8Array, 'model.safetensors': Blob}, remember()}; onProgress(fraction, message).
// remember() keeps the downloaded files in Cache Storage: call it once the model has loaded.
export async function fetchCheckpoint(spec, onProgress = () => {}, { useCache = true } = {}) {
  const remote = resolveRemote(spec);
  const cache = useCache ? await openCache() : null;
  const files = {};
  const fresh = new Map();
  const plan = [['config.json', false], ...TOKENIZER_PAIR.map((f) => [f, true]), [WEIGHTS, false]];
  for (let i = 0; i < plan.length; i++) {
    const [name, optional] = plan[i];
    const bytes = await fetchFile(remote.url(name), name, {
      cache, optional, fresh,
      onProgress: (got, total) => onProgress((i + (total ? got / total : 0.5)) / plan.length,
        `${name}: ${mib(got)}${total ? ` of ${mib(total)}` : ''}`),
    });
    if (bytes) files[name] = bytes;
  }
  if (!files['vocab.json'] || !files['merges.txt']) {
    const tj = await fetchFile(remote.url('tokenizer.json'), 'tokenizer.json', { cache, optional: true, fresh, onProgress: () => {} });
    if (!tj) throw new Error(`${remote.label}: no tokenizer found (need vocab.json + merges.txt, or tokenizer.json)`);
    files['tokenizer.json'] = tj;
  }
  onProgress(1, 'downloaded');
  const remember = async () => {
    if (!cache) return;
    for (const [url, bytes] of fresh)
      await cache.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } })).catch(() => {});
  };
  return { label: remote.label, files, remember };
}

export const CHECKPOINT_FILES = ['config.json', WEIGHTS, ...TOKENIZER_PAIR, 'tokenizer.json'];

// The model menu: real GPT-2 checkpoints one click away, with the size of their model.safetensors on the Hub.
export const KNOWN_MODELS = [
  { id: 'openai-community/gpt2', name: 'GPT-2 124M', bytes: 548e6 },
  { id: 'distilgpt2', name: 'DistilGPT2 82M', bytes: 353e6 },
  { id: 'openai-community/gpt2-medium', name: 'GPT-2 medium 355M', bytes: 1.52e9 },
];

// The ids of KNOWN_MODELS whose weights are already in this browser's Cache Storage.
export async function cachedModels() {
  const cache = await openCache();
  const found = new Set();
  if (!cache) return found;
  for (const m of KNOWN_MODELS) {
    try {
      if (await cache.match(resolveRemote(m.id).url(WEIGHTS))) found.add(m.id);
    } catch { /* a cache that cannot answer counts as empty */ }
  }
  return found;
}

// "548 MB" / "1.52 GB", as the Hub writes sizes.
export function downloadSize(bytes) {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

// Local File objects (from a file or folder picker, or dropped) to {label, files}. Only the checkpoint's
// own files are read; sizes are checked first; the weights stay a File, read chunk by chunk by the worker.
export async function readLocalFiles(fileList) {
  const byName = new Map();
  for (const f of fileList) if (CHECKPOINT_FILES.includes(f.name)) byName.set(f.name, f);
  if (!byName.has(WEIGHTS)) {
    const any = [...fileList].find((f) => f.name.endsWith('.safetensors'));
    if (any) byName.set(WEIGHTS, any);
  }
  const missing = ['config.json', WEIGHTS].filter((n) => !byName.has(n));
  if (missing.length)
    throw new Error(`the chosen files lack ${missing.join(' and ')} (pick a checkpoint folder, or its config.json, model.safetensors, vocab.json and merges.txt)`);
  let total = 0;
  for (const [name, f] of byName) { checkSize(name, f.size); total += f.size; }
  checkSize('the checkpoint', total);
  const files = {};
  for (const [name, f] of byName) {
    if (f.size === 0) throw new Error(`${f.name} is empty (0 bytes)`);
    files[name] = name === WEIGHTS ? f : new Uint8Array(await f.arrayBuffer());
  }
  const folder = [...byName.values()][0].webkitRelativePath.split('/')[0];
  return { label: folder || byName.get(WEIGHTS).name, files };
}

// Files from a drop: plain files, or the files inside a dropped folder (one level).
export async function droppedFiles(dataTransfer) {
  const entries = [...dataTransfer.items].map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null)).filter(Boolean);
  if (!entries.some((e) => e.isDirectory)) return [...dataTransfer.files];
  const out = [];
  for (const entry of entries) {
    if (entry.isFile) out.push(await new Promise((res, rej) => entry.file(res, rej)));
    else {
      const reader = entry.createReader();
      const children = await new Promise((res, rej) => reader.readEntries(res, rej));
      for (const c of children) if (c.isFile) out.push(await new Promise((res, rej) => c.file(res, rej)));
    }
  }
  return out;
}
