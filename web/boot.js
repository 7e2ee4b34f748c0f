// What the first plot waits on, started before the page's own modules have loaded (main.js needs a dozen of them):
// the analysis worker, whose WebAssembly then compiles meanwhile, and, when the link opens on the shipped model (or on
// a local checkpoint, which the shipped model stands in for), the shipped model's files, whose tokenizer the worker
// builds as soon as vocab.json and merges.txt are in. index.html loads this module async, ahead of main.js, which
// takes both from here, and asks for its imports with it (modulepreload) instead of once it has arrived. Nothing
// starts on a page that isolation.js is about to reload.
import { WorkerClient } from './worker-client.js';
import { linkedModel, SHIPPED_MODEL } from './url-state.js';
import { fetchShipped } from './sources.js';
import { reloadsForIsolation } from './isolation.js';

// The page's own timeline of its first plot, as User Timing marks (the browser's performance panel shows them; npm run
// bench prints them): the analysis worker started, the shipped model's tokenizer built in it (its WebAssembly compiled
// first), the shipped model's files in, the model loaded in the worker, the first figures in the document.
export const MARKS = { worker: 'attnlab: analysis worker started', tokenizer: 'attnlab: tokenizer built',
  downloaded: 'attnlab: shipped model downloaded', loaded: 'attnlab: model loaded', drawn: 'attnlab: first figures in the document' };

export const SHIPPED_URL = new URL('./models/tiny-gpt2/', import.meta.url).href;

const reloading = reloadsForIsolation();
let worker = null, described = null;

// The page's worker, started on first use (here, unless the page reloads for isolation). Its first request is the
// core's table of analyses (coreTable), answered as soon as its WebAssembly is ready: asked later, it queued behind the
// tokenizer's build and held up the model's load, which main.js sends once it has the table.
export function analysisWorker() {
  if (!worker) {
    worker = new WorkerClient(new URL('./worker.js', import.meta.url));
    performance.mark(MARKS.worker);
    described = worker.call('describe');
    described.catch(() => {});  // main.js reports a failure, once it has loaded
  }
  return worker;
}

// The worker's answer to 'describe' (a promise), asked for as the worker started.
export function coreTable() {
  analysisWorker();
  return described;
}

// The shipped model's files as fetchShipped gives them (null if that failed: loadShipped then fetches again and reports
// the failure), or null when the link names another model; taken once.
let shipped = null;
if (!reloading) {
  const first = linkedModel(location.hash);
  const client = analysisWorker();
  if (first === SHIPPED_MODEL || first.startsWith('local:'))
    shipped = fetchShipped(SHIPPED_URL, undefined, (files) => client.post('prepare', { files })
      .then(() => performance.mark(MARKS.tokenizer), () => {}))
      .then((ck) => { performance.mark(MARKS.downloaded); return ck; }, () => null);
}
export function takeShippedPrefetch() {
  const p = shipped;
  shipped = null;
  return p;
}
