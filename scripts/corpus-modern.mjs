// The shipped model's modern-English corpus, from documentation that Debian packages ship as plain text or HTML
// (scripts/corpus.sh installs the packages, then runs this). Writes
// build/corpus/modern/:
//   train.txt       the training documents of the training sources
//   validation.txt  about 1 document in 20 of the same sources, chosen by a hash of its path: whole documents,
//                   never in train.txt
//   heldout.txt     every document of the held-out sources, none of which is in the training sources: modern
//                   English the model never saw, to compare against a unigram fitted on train.txt
//   sources.tsv     per source: package, licence, split, documents, bytes, GPT-2 tokens
// Documents are separated by a blank line; the output is the same bytes on every run with the same packages.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { getEncoding } from 'js-tiktoken';

const repo = resolve(new URL('..', import.meta.url).pathname);
const out = join(repo, 'build', 'corpus', 'modern');

const TRAINING = [
  { name: 'Python 3.11 documentation', package: 'python3.11-doc', licence: 'PSF-2.0', dir: '/usr/share/doc/python3.11/html/_sources', ends: '.rst.txt', format: 'rst' },
  { name: 'The Debian Administrator\'s Handbook', package: 'debian-handbook', licence: 'GPL-2+ or CC-BY-SA-3.0', dir: '/usr/share/doc/debian-handbook/html/en-US', ends: '.html', format: 'html', deep: false },
  { name: 'Debian Reference', package: 'debian-reference-en', licence: 'GPL-2+', dir: '/usr/share/debian-reference', ends: '.en.html', format: 'html', deep: false },
  { name: 'Debian Developer\'s Reference', package: 'developers-reference', licence: 'GPL-2', dir: '/usr/share/developers-reference/_sources', ends: '.rst.txt', format: 'rst' },
  { name: 'Debian New Maintainers\' Guide', package: 'maint-guide', licence: 'GPL-2+', dir: '/usr/share/doc/maint-guide/html', ends: '.en.html', format: 'html', deep: false },
];
const HELD_OUT = [
  { name: 'The Debian GNU/Linux FAQ', package: 'debian-faq', licence: 'verbatim copying and modified versions permitted (see its copyright)', dir: '/usr/share/doc/debian/FAQ', ends: '.en.html', format: 'html', deep: false },
  { name: 'GNU Coding Standards; Information for GNU Maintainers', package: 'gnu-standards', licence: 'GFDL-1.3+', dir: '/usr/share/doc/gnu-standards', ends: '.html', format: 'html', deep: false },
];
const VALIDATION_EVERY = 20;

// Every file under dir whose name ends with `ends`, sorted, so the order never depends on the file system.
function documentsOf({ dir, ends, deep = true }) {
  const found = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) { if (deep) walk(path); } else if (name.endsWith(ends)) found.push(path);
    }
  };
  walk(dir);
  if (!found.length) throw new Error(`corpus: no *${ends} under ${dir}; is the package installed?`);
  return found;
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: '\'', nbsp: ' ', mdash: '—', ndash: '–', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', copy: '©', reg: '®', trade: '™', times: '×', laquo: '«', raquo: '»' };

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

// The text of an HTML page: the body, without scripts, styles and navigation; block ends become line breaks.
function htmlText(html) {
  let s = html.replace(/^[\s\S]*?<body[^>]*>/i, '').replace(/<\/body>[\s\S]*$/i, '');
  s = s.replace(/<(script|style|head|nav)\b[\s\S]*?<\/\1>/gi, '');
  s = s.replace(/<div class="navheader"[\s\S]*?<\/div>|<div class="navfooter"[\s\S]*?<\/div>/gi, '');
  s = s.replace(/<(br|hr)\b[^>]*>/gi, '\n').replace(/<\/(p|div|li|h[1-6]|pre|tr|dt|dd|table|blockquote|title)>/gi, '\n');
  s = s.replace(/<[^>]+>/g, '');
  return tidy(decodeEntities(s));
}

// The prose of a reStructuredText source: no directives (their bodies go with them: code-block, note, index),
// comments or heading underlines; roles and literals reduced to their text; literal blocks after "::" kept (the
// examples are part of the documentation).
function rstText(rst) {
  const lines = rst.split('\n');
  const kept = [];
  let skippingIndent = -1;  // inside a directive's option block or a comment: skip deeper-indented lines
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    if (skippingIndent >= 0) {
      if (line.trim() === '' || indent > skippingIndent) continue;
      skippingIndent = -1;
    }
    if (/^\s*\.\.\s/.test(line) || /^\s*\.\.$/.test(line)) {
      skippingIndent = indent;
      continue;
    }
    if (/^\s*([=\-~^*#+"'`:.])\1{2,}\s*$/.test(line)) continue;  // heading over/underline
    if (/^\s*:(synopsis|platform|noindex|module|deprecated|version)[a-z-]*:/.test(line)) continue;  // directive options
    kept.push(line);
  }
  let s = kept.join('\n');
  s = s.replace(/:[a-z]+(?::[a-z]+)?:`!?~?([^`<]*?)\s*(?:<[^`>]*>)?`/g, '$1');  // :role:`text <target>` -> text
  s = s.replace(/``([^`]+)``/g, '$1').replace(/`([^`<]+?)\s*<[^`>]+>`__?/g, '$1').replace(/`([^`]+)`_?_?/g, '$1');
  s = s.replace(/::\s*$/gm, ':');
  return tidy(s);
}

// Trailing spaces off, at most one blank line in a row, no blank lines at the ends.
function tidy(s) {
  return s.replace(/\r/g, '').replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim();
}

function readText(path, format) {
  const bytes = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return format === 'html' ? htmlText(text) : rstText(text);
}

// FNV-1a over the path inside its source's folder: which documents are validation, fixed by name alone.
function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(s, 'utf8')) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  return h;
}

const gpt2 = getEncoding('gpt2');
const tokens = (s) => gpt2.encode(s, 'all').length;
mkdirSync(out, { recursive: true });
const parts = { train: [], validation: [], heldout: [] };
const rows = [['source', 'package', 'licence', 'split', 'documents', 'bytes', 'tokens']];
const add = (source, split, docs) => {
  const texts = docs.map((p) => readText(p, source.format)).filter((t) => t.length > 200);  // skip near-empty pages
  parts[split].push(...texts);
  const joined = texts.join('\n\n');
  rows.push([source.name, source.package, source.licence, split, texts.length, Buffer.byteLength(joined), tokens(joined)]);
};
for (const source of TRAINING) {
  const docs = documentsOf(source);
  const validation = (p) => fnv1a(p.slice(source.dir.length)) % VALIDATION_EVERY === 0;
  add(source, 'train', docs.filter((p) => !validation(p)));
  add(source, 'validation', docs.filter(validation));
}
for (const source of HELD_OUT) add(source, 'heldout', documentsOf(source));
for (const [split, texts] of Object.entries(parts)) writeFileSync(join(out, `${split}.txt`), texts.join('\n\n') + '\n');
writeFileSync(join(out, 'sources.tsv'), rows.map((r) => r.join('\t')).join('\n') + '\n');
console.log(rows.map((r) => r.join('\t')).join('\n'));
