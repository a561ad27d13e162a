// `make bench`: serves the benchmark page and the release build with cross-origin isolation
// (fine performance.now()), runs the engine comparison in headless Chromium, measures slider
// latency in the playground and the first-load bytes, prints a table and writes
// target/bench/browser.json.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const ROUTES = [
  ['/bench/', path.join(ROOT, 'bench')],
  ['/pkg/', path.join(ROOT, 'target/bench/pkg')],
  ['/node_modules/', path.join(ROOT, 'bench/node_modules')],
  ['/app/', path.join(ROOT, 'target/bench/app')],
];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const route = ROUTES.find(([p]) => url.pathname.startsWith(p));
  if (!route) return res.writeHead(404).end();
  let rel = decodeURIComponent(url.pathname.slice(route[0].length));
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(route[1], rel);
  if (!file.startsWith(route[1])) return res.writeHead(403).end();
  fs.readFile(file, (err, data) => {
    if (err) return res.writeHead(404).end();
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    }).end(data);
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// 1. Engines.
const page = await browser.newPage();
page.on('pageerror', (e) => console.error('bench page error:', e.message));
await page.goto(`${base}/bench/index.html?runs=${process.env.BENCH_RUNS || 30}`);
await page.waitForFunction(() => window.__benchResult || window.__benchError, null, { timeout: 15 * 60 * 1000 });
const err = await page.evaluate(() => window.__benchError);
if (err) throw new Error(err);
const result = await page.evaluate(() => window.__benchResult);
await page.close();

// 2. Slider latency. Browsers deliver slider drags aligned to frames (just before the frame's
// callbacks), so each change is made at the start of a frame; the time runs until what `watch`
// names has changed: the output canvas redrawn with the maps on screen computed ('canvas'; see the
// probe), every output channel computed and drawn ('whole'), or the formula figures (data-stat)
// updated ('stats'). A change finished within the frame's task and its microtasks is shown by
// that same frame; one that waits for a later frame counts that wait. With `longest`, the longest
// main-thread task while the slider is dragged for five seconds (one change a frame), from a
// `longtask` PerformanceObserver (which reports tasks of 50 ms and more; 0: none that long).
// `view`: the channel view (each stage on its own canvas, the output's among them: the canvas
// watched) or the volume view (the page's default: the whole computation on one canvas).
async function latency(query, sliderId, values, iterations, { watch = 'canvas', longest = false, view = 'channels' } = {}) {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await p.goto(`${base}/app/?${query}&view=${view}`);
  const canvas = view === 'volume' ? 'figure.volume canvas' : 'figure[data-stage="output"] canvas';
  await p.waitForSelector(`${canvas}[data-drawn]`);
  await p.waitForFunction(() => !document.querySelector('.figure[data-computing]'), null, { timeout: 60000 });
  const times = await p.evaluate(async ({ sliderId, values, iterations, watch, canvas }) => {
    const slider = document.getElementById(sliderId);
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    // What is watched, as a value that changes with it.
    // A large layer's maps are computed in the scene worker: the output canvas is drawn at once
    // from the scene's outline (the maps before), and counts as redrawn once the maps on screen
    // are computed (`data-computing` no longer "maps": the first output channels, which the
    // channel view draws, the faces of the volumes, which the volume view draws, or all of it).
    const probe = watch === 'stats'
      ? () => document.querySelector('[data-stat="params"]').textContent
      : () => {
        const c = document.querySelector(canvas);
        const computing = document.querySelector('.figure')?.dataset.computing;
        // With 'whole', until every output channel is computed.
        const waiting = watch === 'whole' ? Boolean(computing) : computing === 'maps';
        return [c, c.dataset.drawn, waiting];
      };
    const same = (a, b) => (Array.isArray(a) ? (a[0] === b[0] && a[1] === b[1]) || b[2] : a === b);
    const out = [];
    for (let i = 0; i < iterations; i++) {
      // Each change starts from a figure with nothing left to compute.
      while (document.querySelector('.figure[data-computing]')) await frame();
      await frame();
      await frame();
      const before = probe();
      const changed = () => !same(probe(), before);
      const t = await new Promise((resolve) => {
        requestAnimationFrame(async () => {
          const t0 = performance.now();
          slider.value = String(values[i % values.length]);
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          // Microtasks of this frame first, then whole frames.
          for (let k = 0; k < 50 && !changed(); k++) await Promise.resolve();
          while (!changed()) await frame();
          resolve(performance.now() - t0);
        });
      });
      out.push(t);
    }
    return out;
  }, { sliderId, values, iterations, watch, canvas });
  const task = longest ? await p.evaluate(async ({ sliderId, values }) => {
    const tasks = [];
    const obs = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
    obs.observe({ type: 'longtask', buffered: false });
    const slider = document.getElementById(sliderId);
    const end = performance.now() + 5000;
    let i = 0;
    while (performance.now() < end) {
      await new Promise((r) => requestAnimationFrame(r));
      slider.value = String(values[i++ % values.length]);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    }
    await new Promise((r) => setTimeout(r, 1000));
    obs.disconnect();
    return tasks.length ? Math.max(...tasks) : 0;
  }, { sliderId, values }) : null;
  await p.close();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)], p95: times[Math.floor(times.length * 0.95)], n: times.length, longest: task };
}

const MAX_QUERY = 'layer=standard&height=64&width=64&in_channels=64&out_channels=64&kernel_size=11&padding=5';
const maxIter = Number(process.env.BENCH_MAX_ITER || 20);
const def = await latency('layer=standard', 'slider-out_channels', [15, 16], 100);
const maxGrid = await latency(MAX_QUERY, 'slider-out_channels', [63, 64], maxIter);
// The largest layer, as issue 13's goals count it: input → figures updated, and the longest task.
const maxStats = await latency(MAX_QUERY, 'slider-out_channels', [63, 64], maxIter, { watch: 'stats', longest: true });
const maxWhole = await latency(MAX_QUERY, 'slider-out_channels', [63, 64], maxIter, { watch: 'whole' });
// The same in the volume view, the page's default: until the faces of the volumes are computed.
const maxVolume = await latency(MAX_QUERY, 'slider-out_channels', [63, 64], maxIter, { view: 'volume' });
const image = await latency('layer=standard&input=image&height=128&width=128&in_channels=3&out_channels=16&kernel_size=5&padding=2', 'slider-out_channels', [15, 16], 50);

// 3. First load: everything index.html pulls in, gzip -9 (not the demo page, nor the GIF export's
// worker, which the page fetches when a reader exports a GIF; tests/size.test.mjs holds the
// same figure to its budget).
const dist = path.join(ROOT, 'target/bench/app');
const firstLoad = fs.readdirSync(dist)
  .filter((f) => /\.(html|js|wasm|css|svg)$/.test(f) && !f.startsWith('embed-demo') && !f.startsWith('gif-worker'))
  .map((f) => ({ file: f, raw: fs.statSync(path.join(dist, f)).size, gzip: zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length }));
const firstLoadGzip = firstLoad.reduce((s, f) => s + f.gzip, 0);

await browser.close();
server.close();

const out = {
  shapes: result.shapes,
  latency: { default_p50_ms: def.p50, default_p95_ms: def.p95, max_p50_ms: maxGrid.p50, max_p95_ms: maxGrid.p95, max_stats_p50_ms: maxStats.p50, max_stats_p95_ms: maxStats.p95, max_whole_p50_ms: maxWhole.p50, max_whole_p95_ms: maxWhole.p95, max_volume_p50_ms: maxVolume.p50, max_volume_p95_ms: maxVolume.p95, image_p50_ms: image.p50, image_p95_ms: image.p95 },
  // The longest main-thread task while dragging a slider for 5 s at the largest layer, from a
  // `longtask` PerformanceObserver (which reports tasks of 50 ms and more; 0: none that long).
  longest_task_ms: maxStats.longest,
  first_load_gzip_bytes: firstLoadGzip,
  first_load_files: firstLoad,
  cross_origin_isolated: result.cross_origin_isolated,
};
fs.mkdirSync(path.join(ROOT, 'target/bench'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'target/bench/browser.json'), JSON.stringify(out, null, 2));

const f = (v) => (v === null || v === undefined ? 'n/a' : v.toFixed(2));
console.log('\nshape  conv-core ms (p90)   tfjs-wasm ms   ort-wasm ms   best anchor / conv-core   conv-core GFLOP/s   max |diff| (relative)');
for (const r of out.shapes) {
  const best = Math.min(...[r.tfjs_wasm_ms, r.ort_wasm_ms].filter((v) => v !== null));
  console.log(`${r.id.padEnd(6)} ${f(r.conv_core_ms).padStart(8)} (${f(r.conv_core_p90_ms)})   ${f(r.tfjs_wasm_ms).padStart(10)}   ${f(r.ort_wasm_ms).padStart(10)}   ${(best / r.conv_core_ms).toFixed(2).padStart(12)}×   ${f(r.conv_core_gflops).padStart(14)}   ${r.max_abs_diff.toExponential(1)} (${r.max_rel_diff.toExponential(1)})`);
}
console.log(`\nslider latency (frame-aligned input → output canvas redrawn): default p50 ${f(def.p50)} ms p95 ${f(def.p95)} ms; largest grid p50 ${f(maxGrid.p50)} ms p95 ${f(maxGrid.p95)} ms; image 128² p50 ${f(image.p50)} ms p95 ${f(image.p95)} ms`);
console.log(`largest layer, input → figures (data-stat) updated: p50 ${f(maxStats.p50)} ms p95 ${f(maxStats.p95)} ms; every output channel computed and drawn: p50 ${f(maxWhole.p50)} ms p95 ${f(maxWhole.p95)} ms; volume view, faces on screen: p50 ${f(maxVolume.p50)} ms p95 ${f(maxVolume.p95)} ms; longest main-thread task while dragging 5 s: ${f(maxStats.longest)} ms (longtask observer)`);
console.log(`first load: ${firstLoadGzip} bytes gzip (${(firstLoadGzip / 1024).toFixed(1)} KiB): ${firstLoad.map((x) => `${x.file} ${x.gzip}`).join(', ')}`);
console.log(`cross-origin isolated: ${out.cross_origin_isolated}; written target/bench/browser.json`);

// The engines must agree: a benchmark of different answers measures nothing.
const disagree = out.shapes.filter((r) => !(r.max_rel_diff <= 1e-4));
if (disagree.length) {
  console.error(`engines disagree beyond 1e-4 relative on ${disagree.map((r) => `${r.id} (${r.max_rel_diff.toExponential(1)})`).join(', ')}`);
  process.exit(1);
}
