// What every exported CSV and JSON records beside its data, so that a file found later says what it was measured on:
// the attnlab version, the model, the text (its token ids, or the held-out sample's name), the temperature (or
// that the view does not use one) and the window.
export const VERSION = '0.1.0';  // package.json's version (a test checks that they agree)

// Views whose numbers follow the temperature control; sweeps choose their own temperatures; the rest run at T = 1.
const AT_T = new Set(['attention', 'allheads', 'heads', 'selectivity', 'topk', 'normalisers']);
const SWEEPS = new Set(['sensitivity', 'paper']);

// What a figure's title says of the temperature: the T it ran at, that it sweeps T, or that it runs at T = 1 whatever
// the control says.
export function temperatureNote(view, temperature) {
  return AT_T.has(view) ? `T = ${temperature}` : SWEEPS.has(view) ? 'T swept' : 'computed at T = 1';
}

// "Llama (LlamaForCausalLM), 30 layers × 9 heads (3 key/value heads), 576 channels, context 8192": the architecture
// first, so no number is read as another family's.
export function modelShape(info) {
  const kv = info.n_kv_head && info.n_kv_head !== info.n_head ? ` (${info.n_kv_head} key/value heads)` : '';
  const family = info.family ? `${info.family} (${info.architecture}), ` : '';
  return `${family}${info.n_layer} layers × ${info.n_head} heads${kv}, ${info.n_embd} channels, context ${info.n_positions}`;
}

// Views whose rows count the keys they compete over (N), views that read a head's K or V themselves, and views that
// use no model (the memory lookup).
const COUNT_N = new Set(['heads', 'selectivity', 'topk', 'normalisers']);
const READS_KV = new Set(['paper', 'hardmax']);
const NO_MODEL = new Set(['lookup']);

// What a view's numbers mean on this architecture where that differs from GPT-2 (docs/science.md section 9): GPT-Neo's
// unscaled scores, its local layers, and heads that share K and V. '' when nothing differs.
export function architectureNote(view, info) {
  if (NO_MODEL.has(view) || !info) return '';
  const notes = [];
  if (info.scaled_scores === false && view !== 'constant' && view !== 'papa' && view !== 'hardmax')
    notes.push(`${info.family ?? 'This model'}'s scores are q·k without GPT-2's 1/√d, so T = 1 is this model as trained ` +
      'but not GPT-2\'s scale: a temperature compares the model with itself.');
  const local = info.local_layers ?? [];
  if (local.length) {
    const which = `${local.length === 1 ? 'Layer' : 'Layers'} ${local.join(', ')} ${local.length === 1 ? 'is' : 'are'} local: a row sees only its last ${info.window} keys`;
    notes.push(COUNT_N.has(view) ? `${which}, and N counts those, min(i + 1, ${info.window}).`
      : view === 'paper' ? `${which}, so there rows longer than ${info.window} are left out.`
      : view === 'hardmax' ? `${which}; there the hull, its directions and the best score are over those keys.`
      : `${which} (weights before them are 0).`);
  }
  const kv = info.n_kv_head ?? info.n_head;
  if (kv < info.n_head && READS_KV.has(view)) {
    const group = info.n_head / kv;
    notes.push(`Grouped-query attention: each ${group} consecutive heads (0-${group - 1}, ${group}-${2 * group - 1}, …) share ` +
      `one key/value head, so their ${view === 'hardmax' ? 'keys' : 'value vectors'} are the same.`);
  }
  return notes.join(' ');
}

// view, model (its name), info (the core's model info), text and tokens (the box's), sample (the held-out sample's
// name when the view ran on it), temperature: the state when the figures were drawn; window: the tokens a per-token
// view showed ({start, tokens}), null for views of the whole text.
export function provenance({ view, model, info, text, tokens, sample = null, averages = null, temperature, window = null }) {
  const note = architectureNote(view, info);
  return {
    attnlab: VERSION,
    view,
    model,
    model_shape: modelShape(info).replace(/×/g, 'x'),
    ...(note ? { architecture_note: note } : {}),
    text_source: sample ?? 'the text in the box',
    ...(sample ? {} : { text, token_ids: tokens }),
    ...(averages ? { averages } : {}),
    temperature: AT_T.has(view) ? temperature : SWEEPS.has(view) ? 'a sweep (the temperatures are in the data)' : 'not used: computed at T = 1',
    window: window ? `tokens ${window.start}-${window.start + window.tokens - 1} of ${tokens.length} (the model reads at most ${info.n_positions} at a time)`
      : `windows of at most ${info.n_positions} tokens (the model's context) unless the data say otherwise`,
  };
}

// The CSV's header: one "# key: value" line per field (pandas: read_csv(..., comment='#')), token ids on one line. A
// value with a control character or a quote (a text, or a model name from a link) is written as a JSON string, so
// every field stays on its line and reads back exactly.
export function csvPreamble(p) {
  const value = (v) => (Array.isArray(v) ? v.join(' ') : /[\x00-\x1f\x7f"]/.test(String(v)) ? JSON.stringify(String(v)) : String(v));
  return Object.entries(p).map(([k, v]) => `# ${k}: ${value(v)}`);
}
