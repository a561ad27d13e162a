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

// The page's module is optimised with `--low-memory-unused` (index.html): binaryen then folds a
// small constant added to an address into the load's or store's offset, which is only the same
// program if no address under 1024 is ever used. That holds for the module's layout, which this
// reads off the built module: the stack comes first (its pointer, the first global, starts at
// 1 MiB and grows down, so the bottom kilobyte is reached only by a stack a megabyte deep) and
// every data segment lies above it.
test('the page module uses no memory under 1024 bytes', () => {
  const name = fs.readdirSync(DIST).find((f) => /^conv-playground-.*_bg\.wasm$/.test(f));
  const b = fs.readFileSync(path.join(DIST, name));
  let at = 8;
  const leb = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = b[at++];
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return v;
    }
  };
  const sleb = () => {
    let v = 0;
    let shift = 0;
    let byte;
    do {
      byte = b[at++];
      v |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return shift < 32 && byte & 0x40 ? v | (-1 << shift) : v;
  };
  // `i32.const n` then `end`: an active segment's or a global's initial value.
  const constExpr = () => {
    assert.equal(b[at++], 0x41, 'an i32.const');
    const v = sleb();
    assert.equal(b[at++], 0x0b, 'the end of a constant expression');
    return v;
  };
  let stack = null;
  const segments = [];
  while (at < b.length) {
    const id = b[at++];
    const size = leb();
    const end = at + size;
    if (id === 6) {
      // Globals: the first is the stack pointer (a mutable i32).
      leb();
      const [type, mutable] = [b[at++], b[at++]];
      assert.deepEqual([type, mutable], [0x7f, 1], 'the first global is a mutable i32');
      stack = constExpr();
    } else if (id === 11) {
      for (let n = leb(); n > 0; n--) {
        const flags = leb();
        if (flags === 0) {
          segments.push(constExpr());
        } else if (flags === 2) {
          leb();
          segments.push(constExpr());
        }
        // (Read first: `at += leb()` would add to the position before the length.)
        const length = leb();
        at += length;
      }
    }
    at = end;
  }
  assert.ok(stack >= 1 << 20, `the stack pointer starts at ${stack}`);
  assert.ok(segments.length > 0, 'the module has data segments');
  for (const offset of segments) assert.ok(offset >= stack, `a data segment at ${offset}, under the stack's top ${stack}`);
});
