// The page: model loading, the text and head controls, the views, URL state and embedding. All model
// work happens in the worker; this file only asks for results and draws them.
import { cancelledError } from './worker-client.js';
import { embedFigure, formatHash, isEmbed, parseHash, setCoreDefaults, SHIPPED_MODEL } from './url-state.js';
import { cachedModels, downloadSize, droppedFiles, fetchCheckpoint, fetchShipped, KNOWN_MODELS, MAX_CHECKPOINT_BYTES, readLocalFiles,
  resolveRemote } from './sources.js';
import { allHeadsFigures, attentionFigures, headFigures, queryRow, selectivityFigures, sensitivityFigures, topkFigures } from './views.js';
import { isCompact, setCompact, setTitleNote } from './plot.js';
import { paperFigures } from './paper-views.js';
import { conditioningFigures, constantFigures, hardmaxFigures, normaliserFigures, NORMALISERS } from './finding-views.js';
import { conditioningTrainingFigures, lookupFigures, papaCheckpointFigure, papaFigures } from './experiment-views.js';
import { exportCsv, exportJson, exportPng, exportSvg } from './export.js';
import { architectureNote, modelShape, provenance, temperatureNote } from './provenance.js';
import { count } from './format.js';
import { isolate } from './isolation.js';
import { analysisWorker, coreTable, MARKS, SHIPPED_URL, takeShippedPrefetch } from './boot.js';

const $ = (id) => document.getElementById(id);
// The page asks for each analysis's defaults (the core's table, describe()) except where it says otherwise:
const CONSTANT_WINDOW = 32;  // short windows (or the model's context), so a page-sized text gives several to average
const GPT2_124M = 'openai-community/gpt2';  // the model the paper figures' sources measured
const LOOKUP_MAX_LENGTH = 100000;  // the memory-lookup demo's longest run (the CLI's bench goes to 10^6)
const SAMPLED_VIEWS = new Set(['selectivity', 'topk', 'paper']);  // per-N views: on the held-out sample by default
// The paper view over the sample: windows of up to 256 tokens (L = 16 ... 256), overlapping (one every 64 tokens:
// about 600 sequences of each L per layer on tiny-gpt2) when the model is small enough for the 4x work to stay quick
const PAPER_WINDOW = 256;
const PAPER_OVERLAP_WORK = 2e11;  // parameters x tokens processed
function paperSampleRequest(info, sampleChars) {
  const window = Math.min(PAPER_WINDOW, info.n_positions);
  const tokens = sampleChars / 4;  // English: about 4 characters a token
  const overlap = info.parameters * tokens * 4 <= PAPER_OVERLAP_WORK;
  return { max_tokens: window, stride: overlap ? Math.max(1, Math.floor(window / 4)) : 0 };
}
const PREDICTIONS = 10;  // next tokens listed at the query
const THUMBNAIL = 64;    // cells on a side of each head's thumbnail in the all-heads grid
const PER_TOKEN_VIEWS = new Set(['attention', 'allheads']);  // views of one window of the text (the window picker)
const SELECTIVITY_BINS = 12;  // log-spaced bins of N for the per-N curves, over the held-out sample and over the text
// The page's text: at most this many tokens (about 130,000 characters of English; the CLI takes any length), and at
// most MAX_TEXT_CHARS characters before it is even tokenized. Memory then stays bounded whatever a link carries.
const MAX_TEXT_TOKENS = 32768;
const MAX_TEXT_CHARS = 2000000;
// A wasm heap never shrinks: when a run has grown it this far beyond its size after loading, the worker is started
// afresh with the same model once it is idle, which gives the memory back to the browser.
const HEAP_RECYCLE_BYTES = 256 * 2 ** 20;

await isolate();  // on a host without COOP/COEP: reloads once under a service worker that adds them
const worker = analysisWorker();  // started by boot.js as the page opened
globalThis.attnlabWorker = worker;  // for benchmarks and the console: attnlabWorker.call('memory')
let state = null;            // the view (URL hash), read once the core's defaults are known
let loadedModel = null;      // the label of the model in the worker
let data = { info: null, results: {}, calls: new Set(), textFree: null };  // for the current model, text and temperature (freshData)
let renderToken = 0;         // a newer render makes older results stale

// ---- status, progress, errors ------------------------------------------------------------------
function setBusy(busy, label = '') {
  document.body.dataset.state = busy ? 'busy' : 'ready';
  $('progress-row').hidden = !busy;
  $('progress-label').textContent = label;
  if (busy) $('progress').removeAttribute('value');
}

function progress(fraction, label) {
  $('progress-row').hidden = false;
  $('progress').value = Math.max(0, Math.min(1, fraction));
  $('progress-label').textContent = label;
}

// The error line. A failed render's message (fromRender) goes once a render draws; any other (a refused checkpoint, a
// link's model not loaded) stays until the visitor acts (update) or loads a model: a redraw of the layout does not
// clear what the visitor has not yet read.
let errorFromRender = false;
function showError(message, { fromRender = false } = {}) {
  $('error').hidden = !message;
  $('error').textContent = message || '';
  errorFromRender = Boolean(message) && fromRender;
}

// The status line in plain words: "Model: tiny-gpt2: 4 layers × 8 heads, 128 channels, context 256, 7.3 M parameters,
// weights kept in F16 (13.9 MiB)." The loader's notes on conversions are in its tooltip; others (ignored tensors,
// weights kept in F32 beyond F16's range) stay in the line.
function describeModel(label, info) {
  const params = info.parameters >= 1e6 ? `${(info.parameters / 1e6).toFixed(1)} M` : String(info.parameters);
  const mib = (info.weight_bytes / 2 ** 20).toFixed(info.weight_bytes < 2 ** 24 ? 1 : 0);
  const f16 = info.notes.map((n) => /keeps (\d+) weights in F16( \((\d+) of them rounded)?/.exec(n)).find(Boolean);
  const inF16 = f16 && Number(f16[1]) * 2 > info.parameters;
  const storage = inF16 ? `weights kept in F16${f16[3] ? ', rounded from F32' : ''}` : 'weights kept in F32';
  const other = info.notes.filter((n) => !/: converted \d+ weights to F32$|: keeps \d+ weights in F16/.test(n));
  return {
    text: `Model: ${label}: ${modelShape(info)}, ` +
      `${params} parameters, ${storage} (${mib} MiB).${other.length ? ` ${other.join('; ')}.` : ''}`,
    details: info.notes.join('\n'),
  };
}

// How many threads the core runs on, and why only one when the browser allows no more.
function describeThreads(threads, isolated) {
  if (!isolated) {
    return 'Running on 1 thread: this page is not cross-origin isolated (embedded in another site, or served without ' +
      'COOP/COEP headers), so the browser allows no shared memory for threads.';
  }
  return `Running on ${threads} thread${threads === 1 ? '' : 's'}.`;
}

// ---- URL state -----------------------------------------------------------------------------------
function writeHash() {
  const hash = formatHash(state);
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function syncControls() {
  $('text').value = state.text;
  $('temperature').value = String(state.t);
  if (!sliding) $('temperature-slider').value = String(Math.log10(state.t));
  $('scale').value = state.scale;
  $('scale-control').hidden = !PER_TOKEN_VIEWS.has(state.view);
  if (!PER_TOKEN_VIEWS.has(state.view)) $('window-control').hidden = true;  // syncWindows shows it where it belongs
  const info = data.info;
  for (const [id, n, value] of [['layer', info ? info.n_layer : 0, state.layer], ['head', info ? info.n_head : 0, state.head],
    ['embed-layer', info ? info.n_layer : 0, state.layer], ['embed-head', info ? info.n_head : 0, state.head]]) {
    const sel = $(id);
    if (sel.options.length !== n) {
      sel.replaceChildren(...Array.from({ length: n }, (_, i) => new Option(String(i), String(i))));
    }
    sel.value = value === null ? '' : String(value);
  }
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const on = tab.dataset.view === state.view;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
  }
  keepTabInSight();
}

// A phone's tab strip scrolls sideways: the selected tab is kept in sight (the page itself does not move). Checked at
// the next frame, whose layout it then reads: read here, the tab's offsets made the browser lay out the whole page
// at once, on every call (30-40 ms of a first plot, between the worker's two answers).
let tabCheck = 0;
function keepTabInSight() {
  cancelAnimationFrame(tabCheck);
  tabCheck = requestAnimationFrame(() => {
    const tab = document.querySelector('[role=tab][aria-selected=true]')?.getBoundingClientRect(), strip = $('tabs').getBoundingClientRect();
    if (tab && (tab.left < strip.left || tab.right > strip.right + 1)) $('tabs').scrollLeft += tab.left - strip.left - 8;
  });
}

// The window picker of a text longer than the model's context: one entry per window of n_positions tokens (the last
// shorter), shown on the per-token views only. Returns the window's first token (state.from, moved into the text).
function syncWindows(total, context) {
  const starts = [];
  for (let s = 0; s < total; s += context) starts.push(s);
  const from = starts.includes(state.from) ? state.from : starts.filter((s) => s <= state.from).at(-1) ?? 0;
  const sel = $('window');
  const options = starts.map((s) => new Option(`${count(s)}-${count(Math.min(total, s + context) - 1)} of ${count(total)}`, String(s)));
  if (sel.options.length !== options.length || [...sel.options].some((o, i) => o.text !== options[i].text)) sel.replaceChildren(...options);
  sel.value = String(from);
  $('window-control').hidden = !(PER_TOKEN_VIEWS.has(state.view) && starts.length > 1);
  return from;
}

// ---- model loading -----------------------------------------------------------------------------
// Above this size the weights are kept in F16 (rounded if stored in F32) so that large models fit in a tab;
// below it, F16 files stay F16 (exact) and F32 files stay F32.
const F16_STORAGE_ABOVE = 1 << 30;

// The loaded model's files, kept so that a cancelled run (which ends the worker) can load it again.
let loadedFiles = null;
let heapAfterLoad = 0;  // the worker's wasm heap (bytes) once the model had loaded

// Ends the worker (and whatever it runs) and starts a fresh one holding the same model: after a cancel, and to give
// back a heap a large run has grown (a wasm heap never shrinks). A restart asked for while one is under way joins it:
// stopping the worker again would end the load that holds the model's bytes, which the page would then have lost.
let restarting = null;
function restartWorker() {
  if (!restarting) {
    restarting = (async () => {
      worker.stop();
      if (!loadedFiles) return;
      await loadInWorker(loadedFiles.files, loadedFiles.options);
      heapAfterLoad = (await worker.call('memory')).bytes;
    })().finally(() => { restarting = null; });
  }
  return restarting;
}

// Restarts an idle worker whose heap a large run has grown by more than HEAP_RECYCLE_BYTES (see there).
async function recycleIfGrown() {
  if (!loadedFiles || worker.busy()) return;
  const { bytes } = await worker.call('memory');
  if (bytes - heapAfterLoad <= HEAP_RECYCLE_BYTES || worker.busy()) return;
  await restartWorker();
}

// Loads files {name: ArrayBuffer or Blob} in the worker. The ArrayBuffers move there and come back with its reply, in
// `files` (a copy of the shipped model's 15 MB each way cost the main thread and the worker about 100 ms before the
// first plot); a Blob goes by reference. A failed load gives them back with its error.
async function loadInWorker(files, options) {
  const transfer = Object.values(files).filter((data) => data instanceof ArrayBuffer);
  try {
    const reply = await worker.call('load', { files, options }, null, transfer);
    Object.assign(files, reply.returned);
    return reply;
  } catch (e) {
    if (e.returned) Object.assign(files, e.returned);
    throw e;
  }
}

// handOver: the caller keeps no use for the bytes (the shipped model's fetch keeps nothing), so whole buffers move to
// the worker instead of being copied (a download's bytes enter the cache once it has loaded).
async function sendModel(label, files, handOver = false) {
  const whole = (b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
  const buffers = {};
  for (const [name, data] of Object.entries(files))
    buffers[name] = data instanceof Blob ? data : handOver && whole(data) ? data.buffer : data.slice().buffer;
  // the weights' bytes: model.safetensors, or every shard of a sharded checkpoint
  const weightBytes = Object.entries(files).filter(([name]) => name.endsWith('.safetensors'))
    .reduce((sum, [, data]) => sum + (data.size ?? data.length), 0);
  const storage = weightBytes > F16_STORAGE_ABOVE ? 'f16' : 'auto';
  setBusy(true, `Reading ${label} into the model…`);
  const { info, threads, isolated } = await loadInWorker(buffers, { storage });
  markOnce(MARKS.loaded);
  loadedFiles = { files: buffers, options: { storage } };
  heapAfterLoad = (await worker.call('memory')).bytes;
  loadedModel = label;
  data = freshData(info);
  state.model = label;
  if (headPicked) {
    state.layer = Math.min(state.layer, info.n_layer - 1);
    state.head = Math.min(state.head, info.n_head - 1);
  } else {
    state.layer = state.head = null;  // the new model's most selective head, once the text is analysed
  }
  const status = describeModel(label, info);
  $('model-status').textContent = `${status.text} ${describeThreads(threads, isolated)}`;
  $('model-status').title = status.details;
}

async function loadWith(what, getFiles) {
  const previous = loadedModel;
  worker.cancel(data.calls);  // the old model's queued analyses would only delay the load
  showError('');
  setBusy(true, `Loading ${what}…`);
  try {
    const { label, files, remember, handOver = false } = await getFiles();
    await sendModel(label, files, handOver);
    if (remember) await remember();  // downloads enter the cache only once they have loaded
  } catch (e) {
    setBusy(false);
    showError(`Could not load ${what}: ${e.message}` + (previous ? `\nThe page keeps ${previous}.` : ''));
    return false;
  }
  await analyse();
  return true;
}

// The shipped model's files, asked for by boot.js as the page opened (see there), or null.
let shippedPrefetch = takeShippedPrefetch();

function loadShipped() {
  return loadWith('the shipped model', async () => {
    const early = await shippedPrefetch;  // once: its bytes go to the worker
    shippedPrefetch = null;
    const ck = early ?? await fetchShipped(SHIPPED_URL, progress);
    return { label: SHIPPED_MODEL, files: ck.files, handOver: true };
  });
}

// A question in the page itself (window.confirm would freeze the page and cannot be answered inside an embed):
// resolves true (yes) or false (no). A newer question answers an open one with no.
let openQuestion = null;
function askUser(message, yes, no) {
  if (openQuestion) openQuestion(false);
  $('confirm-text').textContent = message;
  $('confirm-yes').textContent = yes;
  $('confirm-no').textContent = no;
  $('confirm').hidden = false;
  $('confirm-yes').focus();
  return new Promise((resolve) => {
    const answer = (value) => {
      $('confirm').hidden = true;
      openQuestion = null;
      resolve(value);
    };
    openQuestion = answer;
    $('confirm-yes').onclick = () => answer(true);
    $('confirm-no').onclick = () => answer(false);
  });
}

// Asked before the weights download when they are large or of unknown size.
function confirmDownload({ name, bytes, host }) {
  const size = bytes ? `is ${bytes < 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : downloadSize(bytes)}`
    : `does not say its size (the page takes up to ${downloadSize(MAX_CHECKPOINT_BYTES)})`;
  return askUser(`${name} from ${host} ${size}. Download it? It is kept in this browser's cache once it loads.`, 'Download', 'Cancel');
}

// fromLink: the model is named by a link the visitor opened, not chosen in the page; its files are then kept in
// Cache Storage only if the visitor said yes to the download. askSize: the weights' size is asked about whatever it
// is (a model on another site).
function loadRemote(spec, { fromLink = false, askSize = false } = {}) {
  let chosen = !fromLink;
  const confirm = Object.assign(async (download) => (chosen = await confirmDownload(download)), { always: askSize });
  return loadWith(spec, async () => {
    const ck = await fetchCheckpoint(spec, progress, { confirm });
    return { ...ck, remember: chosen ? ck.remember : null };
  });
}

// One button per pre-trained model: its name, Hub id and download size, or that the browser already keeps it.
async function fillModelMenu() {
  const cached = await cachedModels();
  $('model-menu').replaceChildren(...KNOWN_MODELS.map((m) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.model = m.id;
    b.textContent = `${m.name} (${cached.has(m.id) ? 'in this browser\'s cache' : `${m.approx ? '≈ ' : ''}${downloadSize(m.bytes)} download`})`;
    b.title = `Load ${m.id} from Hugging Face`;
    b.addEventListener('click', () => loadRemote(m.id).then(fillModelMenu));
    return b;
  }));
}

function loadLocal(fileList) {
  return loadWith('the local checkpoint', async () => {
    const ck = await readLocalFiles(fileList);
    return { label: `local: ${ck.label}`, files: ck.files };
  });
}

// Cancel: ends the worker's run, starts a fresh worker with the same model and leaves the figures as they were.
async function cancelRun() {
  renderToken++;  // the cancelled render draws nothing
  const restarted = restartWorker();
  setBusy(true, `Cancelled; reloading ${loadedModel}…`);
  try {
    await restarted;
    data = freshData(data.info);
    setBusy(false);
    showError('');
    $('progress-label').textContent = '';
    $('status-note').textContent = 'Cancelled. Choose a view or press Analyse to run again.';
    showPlaceholder(`The ${viewLabel(state.view)} view was cancelled before it was drawn.`);
  } catch (e) {
    setBusy(false);
    showError(`Could not reload ${loadedModel} after cancelling: ${e.message}`);
  }
}

// ---- analysis and drawing ----------------------------------------------------------------------
// Results for one model, text and temperature: promises, kept from the moment they are asked for, so
// repeated clicks during a run share it instead of queueing copies. Starting afresh (new text, temperature
// or model) withdraws the old requests the worker has not started yet.
// Results that do not depend on the text (the held-out sample's curves) sit in `textFree`, kept when only
// the text changes, so editing the text never reruns them.
function freshData(info, keepTextFree = false) {
  worker.cancel(data.calls);
  const keep = keepTextFree && data.info === info && data.textFree;
  if (!keep && data.textFree) worker.cancel(data.textFree.calls);
  return { info, results: {}, calls: new Set(), textFree: keep ? data.textFree : { results: {}, calls: new Set() } };
}

// What a view needs, fetched once per model/text/temperature (and head where it matters), kept in the
// results `d` of the render that asked.
function need(d, key, make) {
  const results = d.results;
  if (!results[key]) {
    const p = make();
    results[key] = p;
    p.catch(() => { if (results[key] === p) delete results[key]; });  // a failure is asked again next time
  }
  return results[key];
}

// A worker request for the results `d` (withdrawn with them); a render whose results were replaced asks
// for nothing more.
function ask(d, type, payload, onProgress = null) {
  if (d !== data && d !== data.textFree) return Promise.reject(cancelledError());
  return worker.call(type, payload, onProgress, [], d.calls);
}

// One analysis of the core's table on the page's text (and model name), with progress under `label`.
function analysis(d, name, request, label, inputs = {}) {
  return ask(d, 'analyze', { name, inputs: { text: state.text, model_name: loadedModel, ...inputs }, request },
    (done, total, what) => progress(done / total, `${label}: ${what} ${done} of ${total}`));
}

async function analyse() {
  data = freshData(data.info);
  await render();
}

function figureElement(fig) {
  const figure = document.createElement('figure');
  figure.dataset.name = fig.name;
  figure.appendChild(fig.svg);
  const caption = document.createElement('figcaption');
  caption.textContent = fig.caption;
  const finding = document.createElement('span');
  finding.className = 'finding';
  finding.textContent = fig.finding;
  caption.appendChild(finding);
  figure.appendChild(caption);
  if (fig.action) {
    const act = document.createElement('button');
    act.type = 'button';
    act.className = 'figure-action';
    act.textContent = fig.action.label;
    act.addEventListener('click', () => Promise.resolve().then(fig.action.run).catch((e) => showError(e.message)));
    figure.appendChild(act);
  }
  const bar = document.createElement('div');
  bar.className = 'export';
  const actions = [['SVG', () => exportSvg(fig.svg, fig.name)], ['PNG', () => exportPng(fig.svg, fig.name)],
    ['CSV', () => exportCsv(fig.csv, fig.name, fig.provenance)], ['JSON', () => exportJson(fig.json, fig.name, fig.provenance)],
    ['Embed', (button) => copyEmbed(button, figure)]];
  for (const [label, act] of actions) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('aria-label', label === 'Embed' ? `Copy embed code for ${fig.name} alone` : `Export ${fig.name} as ${label}`);
    b.addEventListener('click', () => Promise.resolve().then(() => act(b)).catch((e) => showError(e.message)));
    bar.appendChild(b);
  }
  figure.appendChild(bar);
  return figure;
}

// The text's selectivity, as every view that needs it asks for it. loss: false, since no view of selectivity shows the
// loss and the output layer is most of a small model's time; binned like the held-out sample, so the text's per-N
// curves and verdicts are measured the same way.
function textSelectivity(d, t) {
  return need(d, 'selectivity', () => analysis(d, 'selectivity', { temperature: t, loss: false, bins: SELECTIVITY_BINS }, 'Selectivity'));
}

// Figures with the status note their view shows above them (a window, a cut the core made); '' for none.
// window: the tokens a per-token view shows.
function withNote(figures, note, window = null) {
  figures.note = note;
  figures.window = window;
  return figures;
}

// Where the keyboard focus is among the figures, so that redrawing them (a head picked with Enter, a row picked in
// the map) leaves it on the same control instead of dropping it to the page: {figure, name, control} or null.
const FOCUSABLE = '[tabindex="0"], button';
let pendingFocus = null;  // the place to restore once a render that replaced the figures draws
function focusedPlace() {
  const active = document.activeElement;
  const figure = active?.closest?.('#figures figure');
  if (!figure) return null;
  const figures = [...$('figures').querySelectorAll('figure')];
  return { figure: figures.indexOf(figure), name: figure.dataset.name, control: [...figure.querySelectorAll(FOCUSABLE)].indexOf(active) };
}
function restoreFocus(place) {
  if (!place) return;
  const figures = [...$('figures').querySelectorAll('figure')];
  const figure = figures.find((f) => f.dataset.name === place.name) ?? figures[place.figure] ?? figures[0];
  if (!figure) return;
  const controls = [...figure.querySelectorAll(FOCUSABLE)];
  (controls[place.control] ?? controls[0])?.focus({ preventScroll: true });
}

// The tokens picked in the attention view's text (window rows; several are summed), the last one the query row.
let chosenTokens = [];

// Until the visitor or a link picks a head, the attention and top-k views open on the model's most selective head on
// the text: the lowest mean normalised entropy (the heads map's value).
let headPicked = false;
async function pickHead(d, t) {
  const map = (await textSelectivity(d, t)).head_map;
  let best = { layer: 0, head: 0, v: Infinity };
  map.forEach((row, layer) => row.forEach((v, head) => { if (Number.isFinite(v) && v < best.v) best = { layer, head, v }; }));
  state.layer = best.layer;
  state.head = best.head;
  writeHash();
  syncControls();
  $('status-note').textContent = `Opened on layer ${best.layer} head ${best.head}, the most selective head on this text ` +
    `(mean normalised entropy ${best.v.toFixed(3)}); the Layer and Head menus pick another.`;
}

async function figuresFor(view, d) {
  const text = state.text;
  const t = state.t;
  if (text.length > MAX_TEXT_CHARS)
    throw new Error(`the text is ${text.length.toLocaleString('en')} characters; the page analyses at most ${MAX_TEXT_TOKENS.toLocaleString('en')} tokens ` +
      `(about ${(MAX_TEXT_TOKENS * 4).toLocaleString('en')} characters of English): shorten it, or run the attnlab command line on longer corpora`);
  // the tokenizer's ids and token strings, once per text
  const tokenized = need(d, 'tokenized', () => ask(d, 'tokenize', { text }));
  const tokens = await need(d, 'tokens', async () => (await tokenized).tokens);
  if (tokens.length === 0) throw new Error('the text is empty: type or paste some text to analyse');
  if (tokens.length > MAX_TEXT_TOKENS)
    throw new Error(`the text is ${tokens.length.toLocaleString('en')} tokens; the page analyses at most ${MAX_TEXT_TOKENS.toLocaleString('en')} ` +
      '(its memory stays bounded that way): shorten it, or run the attnlab command line on longer corpora');
  if ((view === 'attention' || view === 'topk') && (state.layer === null || state.head === null)) await pickHead(d, t);
  if (PER_TOKEN_VIEWS.has(view)) {
    const from = syncWindows(tokens.length, d.info.n_positions);
    if (from !== state.from) { state.from = from; writeHash(); }
  }
  const ctx = { info: d.info, tokens, state: { ...state } };
  if (SAMPLED_VIEWS.has(view) && state.sample === 'held-out') {
    // per-N curves need many rows per N: by default the held-out sample that ships with the page, over log bins
    const sample = await heldOutSample();
    const onSample = (key, name, request, label) => need(d.textFree, key, () => analysis(d.textFree, name, request, label, { text: sample }));
    let figures;
    if (view === 'selectivity') {
      const pooled = await onSample('selectivity', 'selectivity', { temperature: t, loss: false, bins: SELECTIVITY_BINS }, 'Selectivity over the held-out sample');
      figures = selectivityFigures({ ...ctx, selectivity: pooled, source: sampleSource(pooled) });
    } else if (view === 'topk') {
      const detail = await onSample(`detail:${state.layer}:${state.head}`, 'selectivity',
        { temperature: t, heads: [[state.layer, state.head]], loss: false, bins: SELECTIVITY_BINS }, 'Top-k detail over the held-out sample');
      figures = topkFigures({ ...ctx, detail, source: sampleSource(detail) });
    } else {
      const paper = await onSample('paper', 'paper', paperSampleRequest(d.info, sample.length), 'Paper measurements over the held-out sample');
      figures = paperFigures({ ...ctx, paper, source: sampleSource(paper), loadGpt2: () => loadRemote(GPT2_124M) });
    }
    return figures.map((f) => ({ ...f, action: f.action ?? { label: 'Use the text in the box instead', run: () => update({ sample: 'text' }) } }));
  }
  ctx.selectivity = await textSelectivity(d, t);
  const from = state.from;
  const windowNote = (v) => (v.total > v.tokens
    ? `Showing tokens ${count(v.start)}-${count(v.start + v.tokens - 1)} of ${count(v.total)}: the model reads at most ${count(d.info.n_positions)} ` +
      'tokens at a time, each window from its own start. Tokens (above) picks another window.' : '');
  if (view === 'attention') {
    // the predictions at the query row alone (the output layer at every row was most of a first plot's time); any head.
    // The window's rows are known before the worker answers (the core's window: the context, or the text's rest), so
    // when neither is at hand one forward pass gives both (a first plot then waits on one pass, not two).
    const q = queryRow(state, Math.min(tokens.length - from, d.info.n_positions));
    const key = `attention:${state.layer}:${state.head}:${from}`, predictionsKey = `predictions:${from}:${q}`;
    const head = { text, layer: state.layer, head: state.head, temperature: t, start: from };
    const predictions = { top_k: PREDICTIONS, top_rows: [q] };
    if (!d.results[key] && !d.results[predictionsKey]) {
      const both = ask(d, 'attention', { ...head, ...predictions });
      need(d, key, () => both);
      need(d, predictionsKey, () => both);
    }
    ctx.attention = await need(d, key, () => ask(d, 'attention', head));
    ctx.predictions = await need(d, predictionsKey, () => ask(d, 'attention', { ...head, layer: null, ...predictions }));
    const pick = (i, add) => {
      chosenTokens = add ? (chosenTokens.includes(i) ? chosenTokens.filter((x) => x !== i) : [...chosenTokens, i]) : [i];
      if (!chosenTokens.length) chosenTokens = [i];
      return update({ q: chosenTokens.at(-1) });
    };
    const chosen = chosenTokens.length && chosenTokens.at(-1) === state.q ? chosenTokens : null;
    return withNote(attentionFigures({ ...ctx, chosen, onQuery: (q) => { chosenTokens = [q]; return update({ q }); }, onPick: pick }), windowNote(ctx.attention), ctx.attention.tokens);
  }
  if (view === 'allheads') {
    ctx.attention = await need(d, `thumbnails:${from}`, () => ask(d, 'attention', { text, layer: null, temperature: t, start: from, thumbnail: THUMBNAIL }));
    return withNote(allHeadsFigures({ ...ctx, onHead: (l, h) => update({ layer: l, head: h, view: 'attention' }) }), windowNote(ctx.attention), ctx.attention.tokens);
  }
  if (view === 'heads') return headFigures({ ...ctx, onHead: (l, h) => update({ layer: l, head: h, view: 'attention' }) });
  const useSample = { label: 'Use the held-out English sample that ships with the page', run: () => update({ sample: 'held-out' }) };
  if (view === 'selectivity') return selectivityFigures({ ...ctx, source: 'the text in the box' }).map((f) => ({ ...f, action: useSample }));
  if (view === 'topk') {
    ctx.detail = await need(d, `detail:${state.layer}:${state.head}`, () => analysis(d, 'selectivity',
      { temperature: t, heads: [[state.layer, state.head]], loss: false }, 'Top-k detail'));
    return topkFigures({ ...ctx, source: 'the text in the box' }).map((f) => ({ ...f, action: useSample }));
  }
  if (view === 'normalisers') {
    ctx.normalisers = await need(d, 'normalisers', async () => {
      const out = [];
      for (const [i, spec] of NORMALISERS.entries()) {
        progress(i / NORMALISERS.length, `Selectivity under ${spec}`);
        out.push(await analysis(d, 'selectivity', { temperature: t, normaliser: spec }, `Selectivity under ${spec}`));
      }
      return out;
    });
    return normaliserFigures(ctx);
  }
  if (view === 'conditioning') {
    ctx.conditioning = await need(d, 'conditioning', () => analysis(d, 'conditioning', {}, 'Conditioning (SVDs)'));
    return [...conditioningFigures(ctx), ...conditioningTrainingFigures(await conditioningResults())];
  }
  if (view === 'constant' || view === 'papa') {
    // held out as PAPA evaluates: averages of the shipped model's heads over its training text, the page's text held out;
    // in-sample (averaged over this text and evaluated on it) when the user asks or no averages ship with the model
    const source = await averagesSource();
    // in-sample, the averaging window is also the evaluation window: PAPA's view needs two of them in the text (one
    // evaluated, one that ranks the heads), so a short text gets shorter windows
    const window = Math.min(CONSTANT_WINDOW, d.info.n_positions, view === 'papa' ? Math.max(2, Math.floor(ctx.tokens.length / 2)) : Infinity);
    const request = source.heldOut ? {} : { window };
    const label = view === 'papa' ? 'Progressive replacement' : 'Constant attention';
    ctx[view] = await need(d, `${view}:${source.heldOut}`, () => analysis(d, view, request, label, source.inputs));
    const figures = (view === 'papa' ? papaFigures : constantFigures)({ ...ctx, heldOut: source.heldOut, modelLabel: loadedModel })
      .map((f) => ({ ...f, action: source.toggle }));
    if (view === 'papa') figures.push(papaCheckpointFigure(await checkpointResults()));
    const r = ctx[view];
    const used = view === 'papa' ? r.evaluated.tokens + r.ranked_on.tokens : r.eval_tokens;
    return withNote(figures, used < tokens.length
      ? `${label} used ${count(used)} of the text's ${count(tokens.length)} tokens: ` +
        (view === 'papa' ? `evaluated on ${r.evaluated.text}, heads ranked on ${r.ranked_on.text}.` : `${count(r.eval_windows)} windows of ${count(r.window)}.`)
      : '');
  }
  if (view === 'hardmax') {
    ctx.hardmax = await need(d, 'hardmax', () => analysis(d, 'hardmax', {}, 'Hard-max'));
    return hardmaxFigures(ctx);
  }
  if (view === 'lookup') {
    ctx.lookup = await need(d, 'lookup', () => analysis(d, 'lookup', { max_length: LOOKUP_MAX_LENGTH }, 'Memory lookup'));
    return lookupFigures(ctx);
  }
  if (view === 'paper') {
    ctx.paper = await need(d, 'paper', () => analysis(d, 'paper', {}, 'Paper measurements'));
    return paperFigures({ ...ctx, source: 'the text in the box', loadGpt2: () => loadRemote(GPT2_124M) })
      .map((f) => ({ ...f, action: f.action ?? useSample }));
  }
  ctx.sensitivity = await need(d, 'sensitivity', () => analysis(d, 'sensitivity', {}, 'Sensitivity (forward and backward passes)'));
  const sens = ctx.sensitivity;
  return withNote(sensitivityFigures(ctx), sens.text_tokens > sens.tokens
    ? `Sensitivity used the first ${count(sens.tokens)} of the text's ${count(sens.text_tokens)} tokens (the page's budget for its ` +
      'backward passes; the attnlab command line\'s --max-tokens takes up to the model\'s context).' : '');
}

// A file that ships with the page, fetched once and read by read(response); a failure is fetched again next time.
// what: how errors name it.
function fetchedOnce(url, what, read) {
  let kept = null;
  return () => {
    kept ??= fetch(url).then((r) => {
      if (!r.ok) throw new Error(`${what}: HTTP ${r.status}`);
      return read(r);
    });
    kept.catch(() => { kept = null; });
    return kept;
  };
}

// The shipped model's attention averaged over its training text (scripts/shipped-averages.sh); null for other models.
const shippedAverages = fetchedOnce(new URL('constant_attention.safetensors', SHIPPED_URL),
  'the shipped averages (constant_attention.safetensors)', async (r) => new Uint8Array(await r.arrayBuffer()));
const trainingAverages = () => (loadedModel === SHIPPED_MODEL ? shippedAverages() : Promise.resolve(null));
// How a figure names the held-out sample it was measured on (a report with tokens, windows and max_tokens).
function sampleSource(report) {
  const heldOut = loadedModel === SHIPPED_MODEL ? 'held out from tiny-gpt2\'s training'
    : 'the Debian FAQ and the GNU standards, held out from tiny-gpt2\'s training; this model may have seen them';
  return `the page's English sample (${report.tokens.toLocaleString('en')} tokens in ${Array.isArray(report.windows) ? report.windows.length : report.windows} windows of up to ${report.max_tokens}; ${heldOut})`;
}

// The page's held-out English sample for per-N curves (models/tiny-gpt2/held-out-sample.txt).
const heldOutSample = fetchedOnce(new URL('held-out-sample.txt', SHIPPED_URL), 'the held-out sample (held-out-sample.txt)',
  (r) => r.text());
// The committed results of scripts/experiments/papa_checkpoints.sh.
const checkpointResults = fetchedOnce(new URL('./results/papa_checkpoints.json', import.meta.url),
  'the committed PAPA results (results/papa_checkpoints.json)', (r) => r.json());

// The committed results of scripts/experiments/conditioning.sh.
const conditioningResults = fetchedOnce(new URL('./results/conditioning.json', import.meta.url),
  'the committed conditioning experiment (results/conditioning.json)', (r) => r.json());

// Where the constant and PAPA views take their averages from, and the button that switches.
async function averagesSource() {
  const averages = state.averages === 'training' ? await trainingAverages() : null;
  if (averages) {
    return { heldOut: true, inputs: { averages },
      toggle: { label: 'Average this text instead (in-sample)', run: () => update({ averages: 'text' }) } };
  }
  const canSwitch = loadedModel === SHIPPED_MODEL;
  return { heldOut: false, inputs: { corpus: state.text },
    toggle: canSwitch ? { label: 'Use the training-text averages (your text held out)', run: () => update({ averages: 'training' }) } : null };
}

// The figures' place while a view has none of its own: no figure of another view stays under its tab.
function showPlaceholder(text) {
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = text;
  $('figures').replaceChildren(p);
  document.body.dataset.view = '';
}

// The tab's own name for a view ("Selectivity vs N").
function viewLabel(view) {
  return document.querySelector(`[role=tab][data-view="${view}"]`)?.textContent ?? view;
}

// A mark of the page's first plot (boot.js's MARKS), set the first time only.
const marked = new Set();
function markOnce(name) {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark(name);
}

async function render() {
  const token = ++renderToken;
  const focus = focusedPlace() ?? pendingFocus;  // kept across the placeholder, which replaces the figures
  pendingFocus = focus;
  $('status-note').textContent = '';
  writeHash();
  syncControls();
  if (!data.info) return;
  setBusy(true, 'Analysing…');
  // another view's figures do not stay under this tab while it computes
  if (document.body.dataset.view !== state.view) showPlaceholder(`Computing the ${viewLabel(state.view)} view…`);
  try {
    const d = data;
    setTitleNote(temperatureNote(state.view, state.t));  // every title says which temperature its numbers come from
    let figures = await figuresFor(state.view, d);
    if (token !== renderToken) return;  // a newer request owns the page
    const note = figures.note;
    const only = isEmbed(location.search) ? embedFigure(location.search) : null;
    if (only) figures = figures.filter((f) => f.name === only).concat(figures.some((f) => f.name === only) ? [] : figures.slice(0, 1));
    const drawnFrom = provenance({ view: state.view, model: loadedModel, info: d.info, text: state.text, tokens: (await d.results.tokenized).ids,
      sample: SAMPLED_VIEWS.has(state.view) && state.sample === 'held-out' ? 'the held-out sample (models/tiny-gpt2/held-out-sample.txt)' : null,
      averages: ['constant', 'papa'].includes(state.view)
        ? (state.averages === 'training' && loadedModel === SHIPPED_MODEL ? 'the shipped model\'s training-text averages' : 'this text (in-sample)') : null,
      temperature: state.t, window: PER_TOKEN_VIEWS.has(state.view) ? { start: state.from, tokens: figures.window ?? 0 } : null });
    const archNote = architectureNote(state.view, d.info);  // where this architecture's numbers differ from GPT-2's
    for (const f of figures) {
      if (f.provenance) continue;  // a figure of other models (the shipped checkpoints' results) says its own
      f.provenance = drawnFrom;
      if (archNote) f.caption = `${f.caption} ${archNote}`;
    }
    $('figures').replaceChildren(...figures.map(figureElement));
    markOnce(MARKS.drawn);
    const elsewhere = document.activeElement && document.activeElement !== document.body;  // the visitor moved on meanwhile
    if (!elsewhere) restoreFocus(focus);
    pendingFocus = null;
    if (note) $('status-note').textContent = [$('status-note').textContent, note].filter(Boolean).join(' ');
    $('token-count').textContent = `${(await d.results.tokens).length} tokens`;
    if (errorFromRender) showError('');
    setBusy(false);
    document.body.dataset.view = state.view;
    recycleIfGrown().catch((e) => showError(`Could not restart the analysis worker: ${e.message}`));
  } catch (e) {
    if (token !== renderToken || e.cancelled) return;  // a newer request owns the page
    setBusy(false);
    $('figures').replaceChildren();  // the previous view's figures do not belong under this view's tab
    document.body.dataset.view = state.view;
    showError(e.message, { fromRender: true });
  }
}

function update(change) {
  if (!state) return Promise.resolve();  // still starting: the controls act once the core's defaults are known
  const textChanged = change.text !== undefined && change.text !== state.text;
  const tChanged = change.t !== undefined && change.t !== state.t;
  const fromChanged = change.from !== undefined && change.from !== state.from;
  state = { ...state, ...change };
  if ('layer' in change || 'head' in change) headPicked = state.layer !== null && state.head !== null;
  if ((textChanged || fromChanged) && change.q === undefined) state.q = null;  // a row of another window means nothing here
  if (textChanged || fromChanged) chosenTokens = [];
  if (textChanged || tChanged) data = freshData(data.info, !tChanged);
  showError('');  // the visitor has moved on from what the error line said
  return render();
}

// ---- embedding -----------------------------------------------------------------------------------
// The snippet is built by the DOM, which escapes every attribute for HTML: the model name and the text come from
// the URL, which anyone can write, and the snippet goes into other people's pages. figure: one figure's name (that
// figure alone, with its caption), or null for the whole view. The iframe opens at the height the figure has here and
// then sizes itself: the embedded page posts its height, and a fixed script (no value from the URL is in it) sets it.
const RESIZE_SCRIPT = '<script>addEventListener("message",function(e){var d=e.data;if(!d||d.type!=="attnlab-height")return;' +
  'var f=document.getElementsByTagName("iframe");for(var i=0;i<f.length;i++){if(f[i].contentWindow===e.source&&' +
  'f[i].hasAttribute("data-attnlab")){var h=Math.round(Number(d.height));if(h>80&&h<20000)f[i].style.height=h+"px";}}});</script>';

function embedCode(figure = null) {
  const url = new URL(location.href);
  const search = new URLSearchParams({ embed: '1' });
  if (figure) search.set('figure', figure.dataset.name);
  if (HEAD_VIEWS.has(state.view)) search.set('picker', '1');  // a compact layer/head picker above the figure
  url.search = `?${search}`;
  url.hash = formatHash(state);
  const frame = document.createElement('iframe');
  frame.src = url.href;
  frame.title = `attnlab: ${state.view} view of ${state.model}`;
  // the size the figure (or the view) takes on this page, plus the embed's own margins and footer line
  const box = figure ?? $('figures');
  const width = Math.min(960, Math.max(360, Math.ceil(box.getBoundingClientRect().width) + 16));
  const exportBar = figure ? figure.querySelector('.export')?.getBoundingClientRect().height ?? 0 : 0;
  const height = Math.ceil(box.getBoundingClientRect().height - exportBar) + 60;
  frame.width = String(width);
  frame.height = String(height);
  frame.setAttribute('data-attnlab', '');
  frame.style.border = '0';
  frame.style.maxWidth = '100%';
  frame.loading = 'lazy';
  return `${frame.outerHTML}\n${RESIZE_SCRIPT}`;
}

// Shows the code under `anchor` (the nav's button, or a figure's Embed button) and copies it.
async function copyEmbed(button, figure = null) {
  const code = embedCode(figure);
  const box = $('embed-code');
  box.value = code;
  box.hidden = false;
  (figure ? figure.querySelector('.export') : $('embed-button').closest('nav')).after(box);
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(code);
    button.textContent = 'Embed code copied';
  } catch {
    box.select();
    button.textContent = 'Copy the code below';
  }
  setTimeout(() => { button.textContent = label; }, 2500);
}

const HEAD_VIEWS = new Set(['attention', 'topk']);  // views of one head: their embeds get a layer/head picker

// In an embed: tells the page around it how tall this one is, whenever that changes.
function postHeight() {
  if (window.parent === window) return;
  const report = () => window.parent.postMessage({ type: 'attnlab-height', height: Math.ceil(document.documentElement.scrollHeight) }, '*');
  new ResizeObserver(report).observe(document.body);
  report();
}

// ---- the temperature slider ---------------------------------------------------------------------
// While it moves, one run at a time: each finished render takes the newest value asked for, the ones between are
// skipped (the worker withdraws the requests a newer temperature makes stale).
let pendingT = null;
let sliding = false;
async function slide() {
  sliding = true;
  try {
    while (pendingT !== null) {
      const t = pendingT;
      pendingT = null;
      await update({ t });
    }
  } finally {
    sliding = false;
  }
}

// ---- wiring ---------------------------------------------------------------------------------------
function wire() {
  $('shipped-button').addEventListener('click', loadShipped);
  $('cancel-button').addEventListener('click', cancelRun);
  fillModelMenu().catch(() => {});
  $('file-input').addEventListener('change', (e) => { if (e.target.files.length) loadLocal([...e.target.files]); e.target.value = ''; });
  $('folder-input').addEventListener('change', (e) => { if (e.target.files.length) loadLocal([...e.target.files]); e.target.value = ''; });
  $('remote-form').addEventListener('submit', (e) => { e.preventDefault(); const s = $('remote-input').value; if (s.trim()) loadRemote(s); });
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', async (e) => {
    e.preventDefault();
    try {
      loadLocal(await droppedFiles(e.dataTransfer));
    } catch (err) {
      showError(`Could not read the dropped files: ${err.message}`);
    }
  });
  $('analyse-button').addEventListener('click', () => update({ text: $('text').value }));
  $('text').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) update({ text: $('text').value }); });
  $('layer').addEventListener('change', (e) => update({ layer: Number(e.target.value) }));
  $('head').addEventListener('change', (e) => update({ head: Number(e.target.value) }));
  $('temperature').addEventListener('change', (e) => {
    const t = Number(e.target.value);
    if (Number.isFinite(t) && t > 0) update({ t });
    else showError('The temperature must be a number above 0.');
  });
  const tabs = [...document.querySelectorAll('[role=tab]')];
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => update({ view: tab.dataset.view }));
    tab.addEventListener('keydown', (e) => {
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      const next = tabs[(to + tabs.length) % tabs.length];
      next.focus();
      next.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      update({ view: next.dataset.view });
    });
  });
  $('embed-button').addEventListener('click', (e) => copyEmbed(e.currentTarget));
  $('window').addEventListener('change', (e) => update({ from: Number(e.target.value) }));
  $('scale').addEventListener('change', (e) => update({ scale: e.target.value }));
  // the slider (log10 T) redraws as it moves: a drag's many values coalesce into the runs the worker has time for
  $('temperature-slider').addEventListener('input', (e) => {
    const t = Number((10 ** Number(e.target.value)).toPrecision(2));
    $('temperature').value = String(t);
    pendingT = t;
    if (!sliding) slide();
  });
  // a phone's layout: plots drawn for a narrow screen, the model panel folded
  const narrow = matchMedia('(max-width: 600px)');
  setCompact(narrow.matches);
  let foldedForPhone = narrow.matches;  // the panel is open in the page as served
  if (narrow.matches) $('model-panel').open = false;
  narrow.addEventListener('change', () => {
    // a change that leaves the layout as it was (a full-page screenshot's resize can send one) redraws nothing; a redraw
    // leaves the error line, say a refused checkpoint's, that the visitor has not yet read (see showError)
    if (narrow.matches === isCompact()) return;
    setCompact(narrow.matches);
    // the phone folds the model panel; back on a wide screen it opens again unless the visitor folded it there
    if (narrow.matches) {
      foldedForPhone = $('model-panel').open;
      $('model-panel').open = false;
    } else if (foldedForPhone) {
      $('model-panel').open = true;
      foldedForPhone = false;
    }
    if (data.info) render();
  });
  window.addEventListener('hashchange', () => {
    if (!state) return;  // still starting: the start reads the hash itself
    const next = parseHash(location.hash);
    if (formatHash(next) === formatHash(state)) return;
    if (next.model !== state.model && next.model !== loadedModel) return startFrom(next);
    update(next);
  });
}

// Opens the page on the state a link gives. A link names a model on the Hugging Face Hub or on this site, which
// loads (downloads over 100 MB ask first); a model on any other site loads only once the visitor says yes to that
// host, with the shipped model shown meanwhile, and nothing is fetched from there before; addresses the page
// refuses (plain http, private networks, //host) are not fetched at all.
async function startFrom(initial) {
  state = initial;
  headPicked = state.layer !== null && state.head !== null;
  syncControls();
  const linked = initial.model;  // loading a model rewrites state.model
  if (linked === SHIPPED_MODEL || linked.startsWith('local:')) {
    await loadShipped();
    if (linked !== SHIPPED_MODEL) showError(`${linked} was a local checkpoint; open it again with Open folder. Showing the shipped model.`);
    return;
  }
  let remote;
  try {
    remote = resolveRemote(linked);
  } catch (e) {
    await loadShipped();
    showError(`The link's model was not loaded: ${e.message}.\nShowing the shipped model instead.`);
    return;
  }
  if (remote.kind === 'other') {
    await loadShipped();
    const yes = await askUser(`This link asks to load a model from another site, ${remote.host} (${linked}). ` +
      'Loading it downloads files from that server, which then sees your address, and shows its model here; the page ' +
      'asks again with the size before the weights. Load it?', `Load from ${remote.host}`, 'Keep the shipped model');
    if (yes) await loadRemote(linked, { fromLink: true, askSize: true });
    return;
  }
  if (!(await loadRemote(linked, { fromLink: true }))) {
    const why = $('error').textContent;
    await loadShipped();
    showError(`${why}\nShowing the shipped model instead.`);
  }
}

if (isEmbed(location.search)) {
  document.body.classList.add('embed');
  $('open-link').href = `./${location.hash}`;
  postHeight();
  if (new URLSearchParams(location.search).get('picker') === '1') {
    $('embed-picker').hidden = false;
    $('embed-layer').addEventListener('change', (e) => update({ layer: Number(e.target.value), head: state.head ?? 0 }));
    $('embed-head').addEventListener('change', (e) => update({ head: Number(e.target.value), layer: state.layer ?? 0 }));
  }
}
wire();
coreTable().then((table) => {
  setCoreDefaults(table);
  return startFrom(parseHash(location.hash));
}).catch((e) => showError(`The page could not start its WebAssembly worker: ${e.message}`));
