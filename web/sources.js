// Where checkpoint bytes come from: the shipped model, a Hugging Face repository or any URL (streamed with
// progress, kept in Cache Storage), or local files (file picker, folder picker, drag and drop). Sizes are
// checked before anything is allocated; every failure is an Error whose message says what to do.

export const MAX_CHECKPOINT_BYTES = 3.5 * 2 ** 30;  // a wasm32 heap is 4 GiB, and the weights are converted once
export const MAX_TEXT_FILE_BYTES = 256 * 2 ** 20;   // config, vocab, merges, tokenizer.json: the core's limit (LoadLimits)
export const CONFIRM_ABOVE_BYTES = 100e6;           // a download larger than this waits for the user's yes
const CACHE_NAME = 'attnlab-checkpoints-v1';
const WEIGHTS = 'model.safetensors';
const SHARD_INDEX = 'model.safetensors.index.json';
const TOKENIZER_PAIR = ['vocab.json', 'merges.txt'];

// Weights: model.safetensors, or a shard of a sharded checkpoint.
const isWeights = (name) => name.endsWith('.safetensors');

// The shard files a model.safetensors.index.json names, each once: plain .safetensors file names (the core checks
// them again); throws, saying why, for anything else.
export function shardNames(indexBytes) {
  let index;
  try {
    index = JSON.parse(new TextDecoder().decode(indexBytes));
  } catch (e) {
    throw new Error(`${SHARD_INDEX}: not valid JSON (${e.message})`);
  }
  const map = index && typeof index.weight_map === 'object' && index.weight_map ? Object.values(index.weight_map) : [];
  if (!map.length) throw new Error(`${SHARD_INDEX}: expected a non-empty "weight_map" (tensor name -> shard file)`);
  const names = [...new Set(map)];
  for (const n of names)
    if (typeof n !== 'string' || !/^[A-Za-z0-9_-][\w.-]*\.safetensors$/.test(n))
      throw new Error(`${SHARD_INDEX}: shard ${JSON.stringify(n)} is not a .safetensors file name in the checkpoint's folder`);
  return names;
}

function mib(n) {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

// The most bytes the page takes for one checkpoint file, checked before it is downloaded or read.
function limitOf(name) {
  return isWeights(name) ? MAX_CHECKPOINT_BYTES : MAX_TEXT_FILE_BYTES;
}

function checkSize(name, size, limit = limitOf(name)) {
  if (size <= limit) return;
  const why = limit === MAX_CHECKPOINT_BYTES ? 'a browser tab\'s wasm memory is 4 GiB' : 'a checkpoint\'s text files are far smaller';
  throw new Error(`${name} is ${size >= 2 ** 30 ? `${(size / 2 ** 30).toFixed(2)} GiB` : mib(size)}; this page takes at most ${mib(limit)} (${why})`);
}

// Where a model may come from. A Hugging Face id or URL and a path on the page's own site load as asked; any
// other origin is 'other' (the page asks before a link contacts it); addresses a link must never reach are refused:
// plain http except localhost, protocol-relative //host, non-web schemes, and private or link-local hosts (a
// router's admin page, a cloud's metadata service) unless the page itself is served from there.
const HUB = 'https://huggingface.co';
const HF_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

// 'localhost', 'private' (RFC 1918, CGNAT, link-local, unique-local IPv6, 0.0.0.0/8, .local names) or 'public'.
export function hostKind(hostname) {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h)) return 'localhost';
  const v4 = h.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) ||
        (a === 100 && b >= 64 && b <= 127) || a >= 224) return 'private';
    return 'public';
  }
  if (h.includes(':')) {  // IPv6 (the URL parser has normalised it): link-local fe80::/10, unique local fc00::/7, mapped IPv4
    if (/^fe[89ab]/.test(h) || /^f[cd]/.test(h) || h === '::') return 'private';
    const mapped = h.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
    if (mapped) {
      const n = parseInt(mapped[1], 16) * 65536 + parseInt(mapped[2], 16);
      return hostKind([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
    }
    return 'public';
  }
  if (h.endsWith('.local') || h.endsWith('.internal') || h.endsWith('.lan') || !h.includes('.')) return 'private';
  return 'public';
}

// 'openai-community/gpt2', 'distilgpt2', 'https://huggingface.co/gpt2/tree/main', './models/x/', '/models/x/',
// or an https URL of a checkpoint folder or of one of its files. Returns {label, url(file), kind: 'hub' |
// 'same-origin' | 'other', host}. Throws, saying why, for anything else.
export function resolveRemote(spec, page = globalThis.location ? globalThis.location.href : undefined) {
  const s = spec.trim();
  if (!s) throw new Error('give a Hugging Face repository id (e.g. openai-community/gpt2) or a URL');
  const hf = s.match(/^https?:\/\/(?:www\.)?huggingface\.co\/([^/?#]+(?:\/(?!(?:tree|resolve|blob)(?:\/|$))[^/?#]+)?)(?:\/(?:tree|resolve|blob)\/([^/?#]+))?/);
  if (hf && !/^(api|datasets|spaces)$/.test(hf[1].split('/')[0])) {
    const rev = encodeURIComponent(decodeURIComponent(hf[2] || 'main'));
    return { label: hf[1], kind: 'hub', host: 'huggingface.co', url: (f) => `${HUB}/${hf[1]}/resolve/${rev}/${f}` };
  }
  // owner/name, or owner/name@revision (a branch such as Pythia's step3000, a tag or a commit)
  const at = s.lastIndexOf('@');
  const [id, rev] = at > 0 ? [s.slice(0, at), s.slice(at + 1)] : [s, 'main'];
  if (HF_ID.test(id) && /^[\w.-]+$/.test(rev) && !s.includes('..') && !/\.(json|txt|safetensors)$/.test(id))
    return { label: s, kind: 'hub', host: 'huggingface.co', url: (f) => `${HUB}/${id}/resolve/${encodeURIComponent(rev)}/${f}` };
  const refuse = (why) => new Error(`'${s}' ${why}`);
  if (s.startsWith('//')) throw refuse('is a protocol-relative address (//host); write the whole https:// URL');
  const relative = /^(\.{1,2}\/|\/)/.test(s);
  if (!relative && !/^https?:\/\//i.test(s))
    throw refuse('is neither a Hugging Face id (owner/name), a path on this site (./folder/ or /folder/) nor an https:// URL');
  let base;
  try {
    base = new URL(s, page);
  } catch {
    throw refuse('is not a valid URL');
  }
  const here = page ? new URL(page) : null;
  const sameOrigin = here && base.origin === here.origin;
  if (!sameOrigin) {
    const kind = hostKind(base.hostname);
    if (kind === 'private') throw refuse(`names a private or link-local address (${base.hostname}); the page loads models only from public https sites, this site and localhost`);
    if (base.protocol === 'http:' && kind !== 'localhost') throw refuse('uses plain http; use https (plain http is allowed for localhost only)');
  }
  if (base.username || base.password) throw refuse('carries a user name or password; remove them from the URL');
  const folder = /\.(json|txt|safetensors)$/.test(base.pathname) ? new URL('.', base) : new URL(base.href.endsWith('/') ? base.href : `${base.href}/`);
  return { label: s, kind: sameOrigin ? 'same-origin' : 'other', host: base.host, url: (f) => new URL(f, folder).href };
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
// The size is checked twice: the declared Content-Length before the first byte is read, and the bytes received as
// they come, for a server that declares none (or declares less than it sends).
async function readBody(response, name, onProgress, asBlob) {
  const declared = declaredLength(response);
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
    try {
      checkSize(name, received);
    } catch (e) {
      reader.cancel().catch(() => {});
      throw e;
    }
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

// The Content-Length a response declares (0: none).
function declaredLength(response) {
  return Number(response.headers.get('content-length')) || 0;
}

// Refuses a response before its body is read: a web page instead of the file, or more bytes than the file may have.
function checkHeaders(response, name) {
  const stop = (e) => { if (response.body) response.body.cancel().catch(() => {}); throw e; };
  if ((response.headers.get('content-type') || '').includes('text/html')) stop(webPageError(name));
  try {
    checkSize(name, declaredLength(response));
  } catch (e) {
    stop(e);
  }
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
// confirm({name, bytes, host}) is asked, once the headers are in and before the body is read, whether a large
// download (or one of unknown size, or any when confirm.always) may go on; a no ends the load with an error whose
// `declined` is true.
// bytes: the weights too come back as bytes (a small file), not as a Blob.
async function fetchFile(url, name, { cache, optional, onProgress, fresh, confirm, bytes: asBytes = false }) {
  let response = cache ? await cache.match(url) : undefined;
  const cached = Boolean(response);
  if (!response) {
    try {
      response = await fetch(url, { credentials: 'omit', referrerPolicy: 'no-referrer' });
    } catch (e) {
      throw new Error(`${name}: could not reach ${url} (${e.message}); check the address and your connection`);
    }
  }
  if (response.status === 404 && optional) return null;
  if (!response.ok) throw new Error(`${name}: ${url} answered HTTP ${response.status}${response.status === 401 ? ' (a private or gated repository)' : ''}`);
  checkHeaders(response, name);
  const declared = declaredLength(response);
  if (!cached && confirm && (declared > CONFIRM_ABOVE_BYTES || !declared || confirm.always) &&
      !(await confirm({ name, bytes: declared, host: new URL(url).host }))) {
    if (response.body) response.body.cancel().catch(() => {});
    throw Object.assign(new Error(`${name}: not downloaded, as you chose`), { declined: true });
  }
  const bytes = await readBody(response, name, onProgress, isWeights(name) && !asBytes);
  if (!cached) fresh.set(url, bytes);
  return bytes;
}

// {label, files: {name: Uint8Array, 'model.safetensors': Blob}, remember()}; onProgress(fraction, message).
// remember() keeps the downloaded files in Cache Storage: call it once the model has loaded.
// confirm: see fetchFile (asked for the weights only; null: never asked).
export async function fetchCheckpoint(spec, onProgress = () => {}, { useCache = true, confirm = null } = {}) {
  const remote = resolveRemote(spec);
  const cache = useCache ? await openCache() : null;
  const files = {};
  const fresh = new Map();
  // tokenizer.json first: it holds the whole pipeline (Qwen's and SmolLM2's folders also carry vocab.json + merges.txt,
  // which say nothing of their normalizer or pre-tokenizer); the pair only when it is absent (GPT-2's folders). The
  // tokenizer comes before the weights, so a folder without one costs no weights download.
  const get = (name, optional, step, steps) => fetchFile(remote.url(name), name, {
    cache, optional, fresh, confirm: isWeights(name) ? confirm : null,
    onProgress: (got, total) => onProgress((step + (total ? got / total : 0.5)) / steps, `${name}: ${mib(got)}${total ? ` of ${mib(total)}` : ''}`),
  });
  files['config.json'] = await get('config.json', false, 0, 4);
  const tj = await get('tokenizer.json', true, 1, 4);
  if (tj) files['tokenizer.json'] = tj;
  else
    for (const name of TOKENIZER_PAIR) {
      const bytes = await get(name, true, 2, 4);
      if (!bytes) throw new Error(`${remote.label}: no tokenizer found (need tokenizer.json, or vocab.json + merges.txt)`);
      files[name] = bytes;
    }
  // one weights file, or the index and the shards it names (each asked about as the weights are)
  const weights = await get(WEIGHTS, true, 3, 4);
  if (weights) files[WEIGHTS] = weights;
  else {
    const index = await get(SHARD_INDEX, true, 3, 4);
    if (!index) throw new Error(`${remote.label}: no ${WEIGHTS} (nor a sharded ${SHARD_INDEX}) found; attnlab reads safetensors checkpoints`);
    files[SHARD_INDEX] = index;
    const shards = shardNames(index);
    let total = 0;
    for (let k = 0; k < shards.length; k++) {
      files[shards[k]] = await get(shards[k], false, 3 + k / shards.length, 4);
      total += files[shards[k]].size;
      checkSize('the checkpoint\'s shards together', total, MAX_CHECKPOINT_BYTES);
    }
  }
  onProgress(1, 'downloaded');
  const remember = async () => {
    if (!cache) return;
    for (const [url, bytes] of fresh)
      await cache.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } })).catch(() => {});
  };
  return { label: remote.label, files, remember };
}

// The shipped model's folder, whose files are known (its config, GPT-2's tokenizer pair, one weights file): all asked
// for at once, so the page's first plot waits on one round trip instead of five in turn. Same origin, never cached
// (the browser's HTTP cache serves it). {label, files}, as fetchCheckpoint, but with the weights as bytes, not a Blob:
// 14.5 MB, which the worker then takes at once instead of reading a Blob in 66 pieces (half of its load time).
// onTokenizer({'vocab.json': bytes, 'merges.txt': bytes}) is called as soon as both have arrived, before the weights.
export async function fetchShipped(folder, onProgress = () => {}, onTokenizer = null) {
  const names = ['config.json', ...TOKENIZER_PAIR, WEIGHTS];
  const got = new Map(), totals = new Map();
  const files = {};
  const arrived = {};
  const everything = Promise.all(names.map(async (name) => {
    files[name] = await (arrived[name] = fetchFile(new URL(name, folder).href, name, {
      cache: null, optional: false, fresh: new Map(), confirm: null, bytes: true,
      onProgress: (n, total) => {
        got.set(name, n);
        totals.set(name, total);
        const all = [...totals.values()].reduce((a, b) => a + b, 0), sum = [...got.values()].reduce((a, b) => a + b, 0);
        onProgress(all ? sum / all : 0.5, `the shipped model: ${mib(sum)}${all ? ` of ${mib(all)}` : ''}`);
      },
    }));
  }));
  if (onTokenizer) {
    Promise.all(TOKENIZER_PAIR.map((name) => arrived[name]))
      .then((bytes) => onTokenizer(Object.fromEntries(TOKENIZER_PAIR.map((name, k) => [name, bytes[k]]))), () => {});
  }
  await everything;
  onProgress(1, 'downloaded');
  return { label: resolveRemote(folder).label, files };
}

export const CHECKPOINT_FILES = ['config.json', WEIGHTS, SHARD_INDEX, ...TOKENIZER_PAIR, 'tokenizer.json'];

// The model menu: real checkpoints one click away. GPT-2's sizes are those of their model.safetensors on the Hub; the
// other families' (approx) are their parameter count times the bytes of their published dtype (BF16, F16 or F32),
// which the file matches up to the buffers some checkpoints also store. The download question shows the file's own size.
export const KNOWN_MODELS = [
  { id: 'openai-community/gpt2', name: 'GPT-2 124M', bytes: 548e6 },
  { id: 'distilgpt2', name: 'DistilGPT2 82M', bytes: 353e6 },
  { id: 'openai-community/gpt2-medium', name: 'GPT-2 medium 355M', bytes: 1.52e9 },
  { id: 'HuggingFaceTB/SmolLM2-135M', name: 'SmolLM2 135M (Llama)', bytes: 134.5e6 * 2, approx: true },
  { id: 'EleutherAI/pythia-70m', name: 'Pythia 70M (GPT-NeoX)', bytes: 70.4e6 * 2, approx: true },
  { id: 'EleutherAI/pythia-160m', name: 'Pythia 160M (GPT-NeoX)', bytes: 162.3e6 * 2, approx: true },
  { id: 'roneneldan/TinyStories-33M', name: 'TinyStories 33M (GPT-Neo)', bytes: 68.5e6 * 4, approx: true },
  { id: 'Qwen/Qwen2.5-0.5B', name: 'Qwen2.5 0.5B (Qwen2)', bytes: 494e6 * 2, approx: true },
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
  if (!byName.has(WEIGHTS) && byName.has(SHARD_INDEX)) {  // a sharded checkpoint: the shards its index names
    checkSize(SHARD_INDEX, byName.get(SHARD_INDEX).size);
    for (const name of shardNames(new Uint8Array(await byName.get(SHARD_INDEX).arrayBuffer()))) {
      const shard = [...fileList].find((f) => f.name === name);
      if (!shard) throw new Error(`${SHARD_INDEX} names the shard ${name}, which is not among the chosen files`);
      byName.set(name, shard);
    }
  } else if (!byName.has(WEIGHTS)) {
    const any = [...fileList].find((f) => f.name.endsWith('.safetensors'));
    if (any) byName.set(WEIGHTS, any);
  }
  const missing = ['config.json', byName.has(SHARD_INDEX) && !byName.has(WEIGHTS) ? SHARD_INDEX : WEIGHTS].filter((n) => !byName.has(n));
  if (missing.length)
    throw new Error(`the chosen files lack ${missing.join(' and ')} (pick a checkpoint folder, or its config.json, model.safetensors, and tokenizer.json or vocab.json and merges.txt)`);
  let total = 0;
  for (const [name, f] of byName) { checkSize(name, f.size); total += f.size; }  // the weights' files together, below
  checkSize('the checkpoint', total, MAX_CHECKPOINT_BYTES);
  const files = {};
  for (const [name, f] of byName) {
    if (f.size === 0) throw new Error(`${f.name} is empty (0 bytes)`);
    files[name] = isWeights(name) ? f : new Uint8Array(await f.arrayBuffer());
  }
  const folder = [...byName.values()][0].webkitRelativePath.split('/')[0];
  return { label: folder || (byName.get(WEIGHTS) ?? byName.get(SHARD_INDEX)).name, files };
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
