// The first load stays within its budget: everything a first visit fetches until the page is
// drawn (HTML, loader, JS glue, wasm, CSS, icon), each compressed with gzip -9 as a server would,
// at most 250 KiB. A size, not a timing: the same build always gives the same number.
// (`make bench` reports the same figure in target/bench/browser.json.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { DIST, useBrowser } from './helpers.mjs';

const env = useBrowser();
const BUDGET = 250 * 1024;

test('first load: at most 250 KiB gzip', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const fetched = new Set();
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin === new URL(env.server.url).origin) fetched.add(u.pathname);
  });
  await page.goto(env.server.url);
  await page.waitForSelector('[data-ready="true"] .figure canvas[data-drawn]');
  await context.close();
  const files = [...fetched].map((p) => (p.endsWith('/') ? `${p}index.html` : p));
  assert.ok(files.some((f) => f.endsWith('.wasm')), `the wasm module among ${files}`);
  assert.ok(files.some((f) => f.endsWith('.css')), `the style sheet among ${files}`);
  const sizes = files.map((f) => {
    const bytes = fs.readFileSync(path.join(DIST, f));
    return { file: f, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  });
  const total = sizes.reduce((s, f) => s + f.gzip, 0);
  const list = sizes.map((s) => `${s.file} ${s.gzip}`).join(', ');
  console.log(`first load: ${total} bytes gzip (${(total / 1024).toFixed(1)} KiB): ${list}`);
  assert.ok(total <= BUDGET, `first load ${total} bytes gzip > ${BUDGET}: ${list}`);
});
