// A small static server for the built dist/ on 127.0.0.1, started and stopped by the tests.
// It sends the strict Content-Security-Policy that host sites are asked to allow, and can serve
// the build under a sub-path.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:";

/**
 * Serve `root` under `prefix` (e.g. "/" or "/some/path/"). `pages` adds HTML pages of the tests'
 * own, by path under the prefix (e.g. a host page for frames). Resolves to { url, close, requests }.
 */
export function serve(root, { prefix = '/', csp = true, headers = {}, pages = {} } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push({ path: url.pathname });
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end('not found');
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length));
    if (Object.hasOwn(pages, rel)) {
      const h = { 'content-type': TYPES['.html'], 'cache-control': 'no-store', ...headers };
      if (csp) h['content-security-policy'] = CSP;
      res.writeHead(200, h).end(pages[rel]);
      return;
    }
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, rel);
    if (!file.startsWith(path.resolve(root))) {
      res.writeHead(403).end('forbidden');
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404).end('not found');
        return;
      }
      const h = {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        // Hashed assets may be cached (as a real host would), so repeated loads reuse the compiled
        // module; pages are always fetched anew.
        'cache-control': /-[0-9a-f]{8,}[._]/.test(path.basename(file)) ? 'max-age=3600, immutable' : 'no-store',
        ...headers,
      };
      if (csp) h['content-security-policy'] = CSP;
      res.writeHead(200, h).end(data);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}${prefix}`,
        requests,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

// `node tests/server.mjs [dir] [port]` serves a build by hand.
if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] || 'dist';
  const port = Number(process.argv[3] || 8080);
  http
    .createServer((req, res) => res.end())
    .close();
  serve(root).then((s) => console.log(`serving ${root} at ${s.url} (port chosen by the OS; ${port} ignored)`));
}
