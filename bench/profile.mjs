// Where conv-core's time goes in the browser: the CPU profiler of Chromium (CDP) over the
// benchmark page for one shape, self time summed by function. `node bench/profile.mjs S1`
// after `make bench` has built target/bench/pkg.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const only = process.argv[2] || 'S1';
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const ROUTES = [['/bench/', 'bench'], ['/pkg/', 'target/bench/pkg'], ['/node_modules/', 'bench/node_modules']];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const route = ROUTES.find(([p]) => url.pathname.startsWith(p));
  if (!route) return res.writeHead(404).end();
  const file = path.join(ROOT, route[1], decodeURIComponent(url.pathname.slice(route[0].length)) || 'index.html');
  fs.readFile(file, (err, data) => (err ? res.writeHead(404).end() : res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }).end(data)));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await cdp.send('Profiler.start');
await page.goto(`http://127.0.0.1:${server.address().port}/bench/index.html?only=${only}&runs=60`);
await page.waitForFunction(() => window.__benchResult || window.__benchError, null, { timeout: 600000 });
const { profile } = await cdp.send('Profiler.stop');
await browser.close();
server.close();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
profile.samples.forEach((id, i) => {
  const n = byId.get(id);
  const name = `${n.callFrame.functionName || '(anonymous)'} [${path.basename(n.callFrame.url || '') || 'native'}]`;
  self.set(name, (self.get(name) || 0) + (dt[i] || 0) / 1000);
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`self time by function while benchmarking ${only} (all three engines), ${total.toFixed(0)} ms sampled:`);
for (const [name, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${ms.toFixed(1).padStart(9)} ms ${(100 * ms / total).toFixed(1).padStart(5)} %  ${name}`);
}
