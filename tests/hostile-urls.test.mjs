// Nothing a URL does breaks the page: 1,000 generated hostile URLs under the test server's
// Content-Security-Policy (150 more with the policy off are in hostile-urls-no-csp.test.mjs).
// Script payloads try to set window.__pwned; it must stay unset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, serve, DIST } from './helpers.mjs';
import { rng, hostileUrl, INSPECT, wrong, pages, HOST, LOAD_IN_FRAME } from './hostile.mjs';

const env = useBrowser();

test('1,000 hostile URLs: no error, no script, working figures and a notice', async (t) => {
  // Each URL is loaded as the document of a frame in a host page of the same origin, rather than
  // as a new top-level page: the app reads the URL, corrects it, renders and draws alike (and
  // the server's policy applies to the frame's document), at half the cost of a top-level
  // navigation. (Hostile URLs are loaded as top-level pages in layers.test.mjs.)
  const server = await serve(DIST, { pages: { 'frames.html': HOST } });
  // Closed even when an assertion fails: an open server would keep the test file from ending.
  t.after(() => server.close());
  const r = rng(20261128);
  const urls = Array.from({ length: 1000 }, () => hostileUrl(r));
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
});
