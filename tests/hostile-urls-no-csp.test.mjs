// Hostile URLs with the Content-Security-Policy off, where an injected script could run: 150
// generated URLs. Script payloads try to set window.__pwned; it must stay unset, and no element
// they carry may be in the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, serve, DIST } from './helpers.mjs';
import { rng, hostileUrl, INSPECT, wrong, pages, HOST, LOAD_IN_FRAME } from './hostile.mjs';

const env = useBrowser();

test('hostile URLs with the Content-Security-Policy off: an injection would run, none does', async (t) => {
  // Under the test server's policy an injected script could not run anyway; here it could.
  const open = await serve(DIST, { csp: false, pages: { 'frames.html': HOST } });
  // Closed even when an assertion fails: an open server would keep the test file from ending.
  t.after(() => open.close());
  const r = rng(7);
  const context = await env.browser.newContext({ viewport: { width: 800, height: 600 } });
  t.after(() => context.close());
  // The canary works: a page that does inject sets it, and the inspection sees both.
  const canary = await context.newPage();
  await canary.goto(`${open.url}?layer=standard`);
  await canary.waitForSelector('[data-stat="output-shape"]');
  await canary.evaluate(() => { document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="window.__pwned=1">'); });
  await canary.waitForFunction(() => window.__pwned === 1);
  const caught = wrong('canary', await canary.evaluate(INSPECT));
  assert.ok(caught.some((w) => w.includes('__pwned = 1')) && caught.some((w) => w.includes('injected')), caught.join('; '));
  await canary.close();
  // Each URL is loaded in a frame of a host page of the same server (no policy either), as in
  // hostile-urls.test.mjs, three at a time.
  const urls = Array.from({ length: 150 }, () => hostileUrl(r));
  const problems = [];
  const failures = [];
  let index = 0;
  await Promise.all(Array.from({ length: 3 }, async () => {
    const worker = pages(context, problems, `${open.url}frames.html`);
    while (index < urls.length) {
      const q = urls[index++];
      const page = await worker.next();
      assert.equal(await page.evaluate(LOAD_IN_FRAME, { src: `${open.url}?${q}`, timeout: 20000 }), null, `${q} stalled`);
      failures.push(...wrong(q, await page.mainFrame().childFrames()[0].evaluate(INSPECT)));
    }
    await worker.close();
  }));
  assert.deepEqual(failures, []);
  assert.deepEqual(problems, []);
});
