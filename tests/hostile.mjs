// Shared by the hostile-input tests (hostile.test.mjs, hostile-urls*.test.mjs): the generators (URL
// parameter names, junk keys, payloads that try to set window.__pwned, seeded query strings), and
// what a loaded URL is checked for.
import assert from 'node:assert/strict';
import { serve, DIST } from './helpers.mjs';

/** A small seeded generator (mulberry32), so every run tries the same inputs. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const KEYS = ['layer', 'height', 'width', 'in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups',
  'output_padding', 'scale_factor', 'depth_multiplier', 'bias', 'lang', 'theme', 'embed', 'input', 'parent_origin',
  'mode', 'align_corners', 'padding_mode', 'upscale_factor', 'lab', 'stack', 'stack_cell'];
export const JUNK_KEYS = ['__proto__', 'constructor', 'prototype', 'evil', '', ' layer', 'LAYER', 'height[]', 'a'.repeat(300), '😀', '<b>'];
export const PAYLOADS = [
  '<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=1">', 'javascript:window.__pwned=1',
  '"><svg onload=window.__pwned=1>', "'-alert(1)-'", '{{7*7}}', '${window.__pwned=1}',
  'NaN', 'Infinity', '-Infinity', '-1', '-0', '0', '1e309', '1e3', '0x10', '1.5', ' 3 ', '+4', '٣', '３',
  '99999999999999999999999999999', '18446744073709551616', '-99999999999999', '', '%00', '\u202e5', '\u200b3',
  'same', 'valid', 'grouped', 'standard', 'zh', 'en', 'dark', 'image', 'true', 'false', 'null', 'undefined', '[]', '{}',
  'bilinear', 'reflect', 'circular', 'REPLICATE', 'subpixel', 'grow', 'backward', 'stack', 'vgg16', '3x8x8_relu', '1,2,3', '4294967295,4294967295,4294967295',
  '😀'.repeat(50), 'x'.repeat(5000), 'https://evil.example', 'http://127.0.0.1:1',
];

/** A query string of 1–8 generated parameters (keys and junk keys, payloads and numbers of any size),
 * always with one value that must be corrected. */
export function hostileUrl(r) {
  const params = [];
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const key = r() < 0.8 ? KEYS[Math.floor(r() * KEYS.length)] : JUNK_KEYS[Math.floor(r() * JUNK_KEYS.length)];
    const value = r() < 0.6 ? PAYLOADS[Math.floor(r() * PAYLOADS.length)] : String(Math.floor((r() - 0.3) * 10 ** Math.floor(r() * 12)));
    params.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  // Always one value that must be corrected, so a notice is due.
  params.push(`kernel_size=${encodeURIComponent(PAYLOADS[Math.floor(r() * 7)])}`);
  if (r() < 0.2) params.push(params[0]);
  return params.join('&');
}

/** What a URL left in the page: the output shape, the notices, the canary, injected elements. */
export const INSPECT = () => ({
  shape: document.querySelector('[data-stat="output-shape"]').textContent.trim(),
  notices: document.querySelectorAll('[role="alert"]').length,
  pwned: window.__pwned,
  injected: [...document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload], script:not([src]), iframe, object, embed')]
    .map((e) => e.outerHTML.slice(0, 80)),
});

/** Every finding of INSPECT for `q` that is wrong: a bad shape, no notice, the canary set, an injection. */
export function wrong(q, seen) {
  const out = [];
  if (!/^\d+×\d+×\d+$/.test(seen.shape)) out.push(`shape ${JSON.stringify(seen.shape)}`);
  if (!seen.notices) out.push('no notice');
  if (seen.pwned !== undefined) out.push(`__pwned = ${seen.pwned}`);
  if (seen.injected.length) out.push(`injected ${seen.injected.join(' ')}`);
  return out.map((w) => `${q}: ${w}`);
}

/** Loads a page takes before it is replaced: a renderer that has instantiated the app some hundreds
 * of times can fail to reserve memory for one more wasm instance ("Out of memory: Cannot allocate
 * Wasm memory for new instance"). */
export const LOADS_PER_PAGE = 100;

/**
 * Pages of `context` for one worker, each opened at `start` (if given) and replaced every
 * LOADS_PER_PAGE loads; errors (of the page and its frames) and dialogs go to `problems`.
 */
export function pages(context, problems, start) {
  let page = null;
  let loads = 0;
  return {
    async next() {
      if (!page || loads === LOADS_PER_PAGE) {
        await page?.close();
        page = await context.newPage();
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
        page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
        if (start) await page.goto(start);
        loads = 0;
      }
      loads += 1;
      return page;
    },
    close: () => page?.close(),
  };
}

/** A page of the test server's origin that holds the frame the hostile URLs are loaded in. */
export const HOST = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>frame host</title>';

/**
 * In the host page: load `src` in its frame (800×600, as the pages of the other tests), and
 * resolve once the app in it shows its output shape (null), or after `timeout` ms with what the
 * frame shows instead.
 */
export const LOAD_IN_FRAME = async ({ src, timeout }) => {
  let frame = document.querySelector('iframe');
  if (!frame) {
    frame = document.createElement('iframe');
    frame.style.cssText = 'width: 800px; height: 600px; border: 0';
    document.body.style.margin = '0';
    document.body.append(frame);
  }
  // The frame's load is waited for at most `timeout` ms too: a load that never ends is a stall
  // (recorded and tried again in a new page), not a test that waits for ever.
  const loaded = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeout);
    frame.onload = () => { clearTimeout(timer); resolve(true); };
    frame.src = src;
  });
  if (!loaded) return 'the frame did not finish loading';
  const doc = frame.contentDocument;
  return new Promise((resolve) => {
    const shown = () => doc.querySelector('[data-stat="output-shape"]');
    const observer = new MutationObserver(() => shown() && done(null));
    const timer = setTimeout(() => done(doc.body.innerText.slice(0, 200)), timeout);
    function done(result) {
      observer.disconnect();
      clearTimeout(timer);
      resolve(result);
    }
    observer.observe(doc, { childList: true, subtree: true });
    if (shown()) done(null);
  });
};

/**
 * Loads hostile URLs `from`–`to` (of 1,000, always generated from the same seed) in frames, three
 * at a time, and checks each: no error, no script run, working figures and a notice. The 1,000
 * are split over two test files so that they run side by side.
 */
export async function hostileUrls(env, t, from, to) {
  // Each URL is loaded as the document of a frame in a host page of the same origin, rather than
  // as a new top-level page: the app reads the URL, corrects it, renders and draws alike (and
  // the server's policy applies to the frame's document), at half the cost of a top-level
  // navigation. (Hostile URLs are loaded as top-level pages in layers.test.mjs.)
  const server = await serve(DIST, { pages: { 'frames.html': HOST } });
  // Closed even when an assertion fails: an open server would keep the test file from ending.
  t.after(() => server.close());
  const r = rng(20261128);
  const urls = Array.from({ length: 1000 }, () => hostileUrl(r)).slice(from, to);
  const context = await env.browser.newContext({ viewport: { width: 820, height: 620 } });
  t.after(() => context.close());
  const problems = [];
  const stalls = [];
  const failures = [];
  const workers = 3;
  let index = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    const worker = pages(context, problems, `${server.url}frames.html`);
    while (index < urls.length) {
      const q = urls[index++];
      let page = await worker.next();
      const stalled = await page.evaluate(LOAD_IN_FRAME, { src: `${server.url}?${q}`, timeout: 20000 });
      if (stalled !== null) {
        // A frame that has not shown its figures after 20 s: record it and load the same URL once
        // more, in a new page; more than a few such stalls, or a second stall of the same URL,
        // fails the test.
        stalls.push(`${q} (frame showed: ${JSON.stringify(stalled)})`);
        console.log(`stalled: ${stalls[stalls.length - 1]}`);
        page = await worker.next();
        assert.equal(await page.evaluate(LOAD_IN_FRAME, { src: `${server.url}?${q}`, timeout: 20000 }), null, `${q} stalled twice`);
      }
      failures.push(...wrong(q, await page.mainFrame().childFrames()[0].evaluate(INSPECT)));
    }
    await worker.close();
  }));
  assert.deepEqual(failures, []);
  assert.deepEqual(problems, []);
  assert.ok(stalls.length <= 3, `${stalls.length} stalled loads:\n${stalls.join('\n')}`);
}
