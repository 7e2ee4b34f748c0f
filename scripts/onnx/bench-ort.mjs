// onnxruntime-node on an ONNX export of an attnlab checkpoint (scripts/onnx/export_gpt2.py): the forward pass of T
// tokens, best of `repeats` after two warm-ups, on each thread count. A benchmark only: onnxruntime-node is installed
// into a temporary folder by scripts/bench.sh, never a dependency of attnlab.
//   node bench-ort.mjs ORT_NODE_MODULES MODEL.onnx T THREADS[,THREADS...] [REPEATS]
// Prints one JSON line per thread count, with the mean next-token loss on the ids (i * 7919) % V (export_gpt2.py's),
// which must match torch's.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [modules, model, tokens, threadList, repeatsArg] = process.argv.slice(2);
const ort = createRequire(join(resolve(modules), 'x.js'))('onnxruntime-node');
const T = Number(tokens);
const repeats = Number(repeatsArg ?? 10);
for (const threads of threadList.split(',').map(Number)) {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  let V = 0;
  const ids = new BigInt64Array(T);
  const feed = () => ({ ids: new ort.Tensor('int64', ids, [T]) });
  // the vocabulary from a first run's output shape, then the check's ids
  V = (await session.run(feed())).logits.dims[1];
  for (let i = 0; i < T; i++) ids[i] = BigInt((i * 7919) % V);
  let logits;
  for (let w = 0; w < 2; w++) logits = (await session.run(feed())).logits.data;
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await session.run(feed());
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  let loss = 0;
  for (let t = 0; t + 1 < T; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    let m = -Infinity;
    for (const x of row) m = Math.max(m, x);
    let s = 0;
    for (const x of row) s += Math.exp(x - m);
    loss += m + Math.log(s) - row[Number(ids[t + 1])];
  }
  console.log(JSON.stringify({ engine: `onnxruntime-node ${ort.env.versions?.node ?? ''}`.trim(), threads, tokens: T,
    forward_seconds: best, tokens_per_second: T / best, loss: loss / (T - 1) }));
  await session.release();
}
