// Writes N bytes of real English prose for the tokenizer benchmark: the Jargon File from Debian's
// jargon-text package (public domain), cut at a line boundary.
// usage: node english_corpus.mjs OUT BYTES
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const [out, bytesArg] = process.argv.slice(2);
const want = Number(bytesArg ?? 1000000);
const source = '/usr/share/doc/jargon-text/jargon.txt.gz';
const text = gunzipSync(readFileSync(source));
if (text.length < want) throw new Error(`${source} has only ${text.length} bytes`);
const cut = text.lastIndexOf(0x0a, want) + 1;
writeFileSync(out, text.subarray(0, cut));
console.log(`wrote ${cut} bytes of English (${source}) to ${out}`);
