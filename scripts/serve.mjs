// A static file server for the built page (build/web): node scripts/serve.mjs [DIR] [--port N] [--no-isolation].
// Serves files only (no server logic), with the MIME types the page needs; port 8080 by default, the next
// free one if taken (PORT in the environment chooses another; 0 picks any free port). It sends the COOP/COEP
// headers that make the page cross-origin isolated, so the page runs on every core (attnlab-mt);
// --no-isolation leaves them out, as most static hosts do, and the page runs on one thread.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8', '.safetensors': 'application/octet-stream', '.png': 'image/png', '.svg': 'image/svg+xml',
};

// Cross-origin isolation: COOP + COEP make the page isolated; CORP lets an isolated page of another site embed it.
export const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'cross-origin' };

const WHOLE_FILE_BYTES = 64 << 20;

// The server's request handler alone: the files under root, with the isolation headers unless isolate is false.
export function staticFiles(root, { isolate = true } = {}) {
  const base = path.resolve(root);
  return (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.normalize(path.join(base, decodeURIComponent(url.pathname)));
    if (!file.startsWith(base)) { res.writeHead(403).end('forbidden'); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-length': st.size,
        'cache-control': 'no-cache', ...(isolate ? ISOLATION : {}) });
      if (req.method === 'HEAD') { res.end(); return; }
      // a file up to WHOLE_FILE_BYTES goes out in one write (64 KB stream chunks made the shipped model's 14.5 MB
      // reach the page about 0.2 s later on a 2-core machine); a larger one streams in 1 MiB chunks
      if (st.size > WHOLE_FILE_BYTES) { fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res); return; }
      fs.readFile(file, (error, body) => (error ? res.destroy(error) : res.end(body)));
    });
  };
}

export function serve(root, port = 8080, { quiet = false, tries = 20, isolate = true } = {}) {
  return listen(http.createServer(staticFiles(root, { isolate })), port, { quiet, tries, root, isolate });
}

// Starts server on port (the next free one if taken, up to tries more; 0: any free port): {server, address}.
export function listen(server, port, { quiet = true, tries = 20, root = '', isolate = true } = {}) {
  return new Promise((resolve, reject) => {
    const attempt = (p, left) => {
      server.once('error', (e) => (e.code === 'EADDRINUSE' && left > 0 && p !== 0 ? attempt(p + 1, left - 1) : reject(e)));
      server.listen(p, '127.0.0.1', () => {
        const address = `http://localhost:${server.address().port}/`;
        const threads = isolate ? 'cross-origin isolated: all cores' : 'not isolated: one thread';
        if (!quiet) console.log(`attnlab: serving ${root} at ${address} (${threads}; Ctrl+C stops)`);
        resolve({ server, address });
      });
    };
    attempt(port, tries);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--port');
  const port = i >= 0 ? Number(args[i + 1]) : Number(process.env.PORT || 8080);
  const dir = args.find((a, j) => !a.startsWith('--') && (i < 0 || j !== i + 1)) || 'build/web';
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    console.error(`attnlab: ${dir}/index.html is missing; run npm run build first`);
    process.exit(2);
  }
  serve(dir, port, { isolate: !args.includes('--no-isolation') }).catch((e) => { console.error(`attnlab: cannot serve: ${e.message}`); process.exit(2); });
}
