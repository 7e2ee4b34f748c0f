// The core's WebAssembly API wrapped for JavaScript: one Engine per module instance. Every call returns
// plain JS values or throws AttnlabError with the core's message; it never loses the loaded model:
// a model that fails to load leaves the previous one in place. Used by the worker and by node tests.

export class AttnlabError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AttnlabError';
  }
}

function unwrap(result) {
  if (result.error !== undefined) throw new AttnlabError(result.error);
  return result.json !== undefined ? JSON.parse(result.json) : result;
}

export class Engine {
  constructor(module) {
    this.module = module;
    this.session = null;
    this.info = null;
    this.next = null;  // the session the next load fills, made early by prepare()
  }

  // files: {name: Uint8Array}, where model.safetensors may instead be a reader {size, read(offset, view)}
  // that fills `view` with the bytes at `offset` and returns undefined, or returns an error message; the core
  // then reads the weights chunk by chunk, never holding the whole file. options: {storage: 'auto' | 'f16' |
  // 'f32'}. Replaces the loaded model only when the new one loads.
  load(files, options = {}) {
    const next = this.next ?? new this.module.Session();
    this.next = null;
    let info;
    try {
      info = unwrap(next.load(files, JSON.stringify(options)));
    } catch (e) {
      next.delete();
      throw e;
    }
    if (this.session) this.session.delete();
    this.session = next;
    this.info = info;
    return info;
  }

  // Builds the tokenizer of the next model to load from its tokenizer files ({name: Uint8Array}: tokenizer.json, or
  // vocab.json + merges.txt) before its weights arrive; load() takes it if its own tokenizer files hold the same bytes.
  // Throws AttnlabError if the files do not make a tokenizer (load then says so again, for the files it is given).
  prepare(files) {
    if (!this.next) this.next = new this.module.Session();
    unwrap(this.next.prepare(files));
  }

  // Bytes of the wasm heap in use (allocated and not freed), as the allocator counts them.
  usedBytes() {
    return this.module.heapInUse();
  }

  // The threads the core runs on: the browser's cores in the threaded build, else 1.
  threads() {
    return this.module.computeThreads();
  }

  unload() {
    if (this.session) this.session.delete();
    this.session = null;
    this.info = null;
  }

  #session() {
    if (!this.session) throw new AttnlabError('no model is loaded');
    return this.session;
  }

  tokenize(text) {
    return unwrap(this.#session().tokenize(text));
  }

  // One window of the text for the per-token views: options {start, length, temperature, heads: [[l, h]], thumbnail,
  // top_k, top_rows} (see wasm/api.cpp). Returns {total, start, tokens: T, probs, thumbnail, thumbnails, top_k, top_ids,
  // top_probs, next_prob, next_rank, strings: {id: token text}}, the arrays copies (safe to keep and transfer).
  tokenView(text, options = {}) {
    const r = unwrap(this.#session().tokenView(text, JSON.stringify(options)));
    const out = { ...r, strings: JSON.parse(r.strings) };
    for (const k of ['probs', 'thumbnails', 'top_ids', 'top_probs', 'next_prob', 'next_rank']) out[k] = r[k].slice();
    return out;
  }

  // One head's attention on the text's first window: {tokens: T, probs: Float32Array(T * T)}.
  attention(text, layer, head, temperature = 1) {
    return this.tokenView(text, { heads: [[layer, head]], temperature });
  }

  run(text, options = {}) {
    return unwrap(this.#session().run(text, JSON.stringify(options)));
  }

  // One analysis of the core's table: name (describe() lists them), inputs {text, corpus, averages,
  // model_name}, request {field: value} (missing fields take the core's defaults). Returns the report.
  analyze(name, inputs, request = {}, progress = undefined) {
    return unwrap(this.#session().analyze(name, inputs, JSON.stringify(request), progress));
  }

  // The analyses' table: [{name, summary, fields: [{name, kind, default, limits, help}], inputs, outputs}].
  describe() {
    return JSON.parse(this.module.describe());
  }
}
