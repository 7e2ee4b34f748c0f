// Writes the reference tokenisations that the core's BPE must reproduce: a curated list of hard cases
// plus 2,500 generated strings, each with the ids js-tiktoken (encoding "gpt2", an independent
// implementation of GPT-2's tokenizer) gives it. "<|endoftext|>" is treated as plain text, as GPT-2 does.
// usage: node tiktoken_fixture.mjs OUT.json [count]
import { getEncoding } from 'js-tiktoken';
import { writeFileSync } from 'node:fs';
import { curated, generated } from './tokenizer_strings.mjs';

const enc = getEncoding('gpt2');
const out = process.argv[2];
const count = Number(process.argv[3] ?? 2500);

const cases = [...curated, ...generated(count)].map((text) => ({ text, ids: enc.encode(text, [], []) }));
writeFileSync(out, JSON.stringify({ reference: 'js-tiktoken gpt2', cases }));
console.log(`wrote ${cases.length} reference tokenisations (${curated.length} curated) to ${out}`);
