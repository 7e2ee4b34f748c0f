// The Web Worker that owns the wasm module, so the page never freezes. Protocol: requests
// {type, id, ...}; replies {type: 'progress' | 'result' | 'error', id, ...}. Requests run one at a time
// in arrival order; every request gets exactly one result or error.
import { Engine } from './engine.js';

// All cores when the page is cross-origin isolated (the browser then allows the shared memory that threads
// need): the pthreads build, attnlab-mt. Otherwise (a page embedded in another site, or a host that sends no
// COOP/COEP headers) the single-thread build. Both give the same numbers.
const threaded = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
const ready = import(threaded ? './attnlab-mt.mjs' : './attnlab.mjs')
  .then(({ default: createAttnlab }) => createAttnlab())
  .then((module) => new Engine(module));

function handlers(engine, id) {
  const progress = (done, total, what) => postMessage({ type: 'progress', id, done, total, what });
  return {
    // the ArrayBuffers go back with the reply (`returned`, moved, not copied): the page keeps them for a restart
    load: ({ files, options }) => {
      const bytes = {};
      for (const [name, data] of Object.entries(files)) bytes[name] = data instanceof Blob ? blobReader(data) : new Uint8Array(data);
      return { info: engine.load(bytes, options), threads: engine.threads(), isolated: threaded, returned: loadBuffers(files) };
    },
    prepare: ({ files }) => {
      const bytes = {};
      for (const [name, data] of Object.entries(files)) bytes[name] = data instanceof Uint8Array ? data : new Uint8Array(data);
      engine.prepare(bytes);
      return {};
    },
    tokenize: ({ text }) => engine.tokenize(text),
    // one window of the text: the head's attention, and optionally every head's thumbnail and the predictions (at
    // top_rows, else every row)
    attention: ({ text, layer, head, temperature, start = 0, thumbnail = 0, top_k = 0, top_rows = [] }) =>
      engine.tokenView(text, { heads: layer === null || layer === undefined ? [] : [[layer, head]], temperature, start, thumbnail, top_k, top_rows }),
    run: ({ text, options }) => engine.run(text, options),
    analyze: ({ name, inputs, request }) => engine.analyze(name, inputs, request, progress),
    describe: () => engine.describe(),
    memory: () => ({ bytes: engine.module.HEAPU8.length, used: engine.usedBytes() }),
    stats: () => ({ executed: { ...executed } }),
  };
}

// The ArrayBuffers among a load's files, by name: what its reply, result or error, moves back to the page.
function loadBuffers(files) {
  return Object.fromEntries(Object.entries(files).filter(([, data]) => data instanceof ArrayBuffer));
}

// A Blob (a local file, or a download kept as a Blob) read synchronously, chunk by chunk, as the core asks.
function blobReader(blob) {
  const reader = new FileReaderSync();
  return {
    size: blob.size,
    read(offset, view) {
      try {
        const chunk = new Uint8Array(reader.readAsArrayBuffer(blob.slice(offset, offset + view.length)));
        if (chunk.length !== view.length) return `could read only ${offset + chunk.length} of ${blob.size} bytes`;
        view.set(chunk);
        return undefined;
      } catch (e) {
        return `reading the file failed (${e.message}); was it changed or removed?`;
      }
    },
  };
}

// `executed` counts the requests run, by type, analyses by name (the page's client withdraws stale ones
// before they are sent).
const executed = {};

let queue = Promise.resolve();
self.onmessage = (event) => {
  const request = event.data;
  queue = queue.then(async () => {
    try {
      const kind = request.type === 'analyze' ? request.name : request.type;
      executed[kind] = (executed[kind] ?? 0) + 1;
      const engine = await ready;
      const handler = handlers(engine, request.id)[request.type];
      if (!handler) throw new Error(`unknown request '${request.type}'`);
      const result = handler(request);
      const transfer = result && result.returned ? Object.values(result.returned) : result && result.probs
        ? ['probs', 'thumbnails', 'top_ids', 'top_probs', 'next_prob', 'next_rank'].filter((k) => result[k]).map((k) => result[k].buffer) : [];
      postMessage({ type: 'result', id: request.id, result }, transfer);
    } catch (e) {
      // a load's ArrayBuffers go back with its error as with its result: the page may hold no other copy
      const returned = request.type === 'load' && request.files ? loadBuffers(request.files) : null;
      postMessage({ type: 'error', id: request.id, message: e && e.message ? e.message : String(e), returned },
        returned ? Object.values(returned) : []);
    }
  });
};
