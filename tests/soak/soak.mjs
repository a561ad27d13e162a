// Soak: the animation at full speed for SOAK_SECONDS (default 600) on a busy layer; JS heap (after
// a garbage collection) and wasm memory are sampled every 10 s. The heap of a live page wanders
// by a few hundred KB between collections, so the start and end figures are the lowest of the
// first and of the last three samples; fails if either grows by 10 % or more.
import { launch, openPage, serve, DIST } from '../helpers.mjs';

const seconds = Number(process.env.SOAK_SECONDS || 600);
const server = await serve(DIST);
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
await context.addInitScript(() => {
  addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail.wasm.memory; });
});
const page = await context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push(e.message));
await page.goto(`${server.url}?layer=separable&height=24&width=24&in_channels=8&out_channels=16`);
await page.waitForSelector('[data-stat="step"]');
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');
const sample = async () => {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  const wasm = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? 0);
  const step = await page.locator('[data-stat="step"]').textContent();
  return { heap, wasm, step };
};
await page.getByRole('slider', { name: 'Speed (steps per second)' }).fill('20');
await page.getByRole('button', { name: 'Play' }).click();
await page.waitForTimeout(5000);
const samples = [];
for (let t = 10; t <= Math.max(seconds, 60); t += 10) {
  await page.waitForTimeout(10000);
  const s = await sample();
  samples.push(s);
  console.log(`t=${t}s heap=${(s.heap / 1e6).toFixed(2)} MB wasm=${(s.wasm / 1e6).toFixed(2)} MB step ${s.step}`);
}
const low = (xs, key) => Math.min(...xs.map((x) => x[key]));
const first = { heap: low(samples.slice(0, 3), 'heap'), wasm: low(samples.slice(0, 3), 'wasm') };
const last = { heap: low(samples.slice(-3), 'heap'), wasm: low(samples.slice(-3), 'wasm') };
const growth = (a, b) => (b - a) / a;
const heapGrowth = growth(first.heap, last.heap);
const wasmGrowth = growth(first.wasm, last.wasm);
console.log(`soak ${seconds}s: JS heap ${(first.heap / 1e6).toFixed(2)} → ${(last.heap / 1e6).toFixed(2)} MB (${(heapGrowth * 100).toFixed(1)} %), wasm ${(first.wasm / 1e6).toFixed(2)} → ${(last.wasm / 1e6).toFixed(2)} MB (${(wasmGrowth * 100).toFixed(1)} %), page errors: ${problems.length}`);
await browser.close();
await server.close();
const ok = heapGrowth < 0.1 && wasmGrowth < 0.1 && problems.length === 0;
console.log(ok ? '1 passed, 0 failed' : '0 passed, 1 failed');
process.exit(ok ? 0 : 1);
