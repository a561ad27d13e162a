// The chain end to end: the release build loads with no console error or uncaught exception,
// makes no request outside its origin, and paints its canvases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, serve, canvasPainted, stat, settledUrl } from './helpers.mjs';

const env = useBrowser();

test('the release build loads cleanly and paints the canvas', async () => {
  const { page, problems, context } = await openPage(env.browser, env.server.url);
  assert.equal(await page.title(), 'Conv Playground');
  assert.match(await page.locator('h1').textContent(), /Conv Playground/);
  assert.equal(await stat(page, 'output-shape'), '16×4×4');
  assert.ok(await canvasPainted(page, 'canvas[data-stage-canvas="0"]'), 'input canvas painted');
  const last = await page.locator('canvas[data-stage-canvas]').count();
  assert.ok(await canvasPainted(page, `canvas[data-stage-canvas="${last - 1}"]`), 'output canvas painted');
  assert.deepEqual(problems, []);
  await context.close();
});

test('served under a sub-path it loads with no 404', async () => {
  const sub = process.env.SUBPATH_DIST;
  if (!sub) {
    // The sub-path build is made by scripts/test.sh; without it this check has nothing to open.
    assert.fail('SUBPATH_DIST is not set: run the end-to-end tests through scripts/test.sh');
  }
  const s = await serve(sub, { prefix: '/some/path/' });
  try {
    const { page, problems, context } = await openPage(env.browser, s.url);
    assert.equal(await stat(page, 'output-shape'), '16×4×4');
    assert.ok(s.requests.every((r) => r.path.startsWith('/some/path/')), JSON.stringify(s.requests));
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await s.close();
  }
});

test('a dragged slider writes the address bar a few times a second, its last state last', async () => {
  const { page, problems, context } = await openPage(env.browser, env.server.url, 'layer=standard&view=channels');
  await page.evaluate(() => {
    window.__writes = [];
    const replace = history.replaceState.bind(history);
    history.replaceState = (s, t, url) => {
      window.__writes.push([performance.now(), String(url)]);
      return replace(s, t, url);
    };
  });
  // One change a frame for a second, as a drag delivers them.
  const last = await page.evaluate(async () => {
    const slider = document.getElementById('slider-out_channels');
    const end = performance.now() + 1000;
    let v = 0;
    while (performance.now() < end) {
      await new Promise((r) => requestAnimationFrame(r));
      v = 1 + (v % 31);
      slider.value = String(v);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    }
    return v;
  });
  const writes = await page.evaluate(() => window.__writes);
  // At most one write each 100 ms (dom::URL_EVERY_MS), plus the one the drag ends with.
  assert.ok(writes.length >= 3 && writes.length <= 12, `${writes.length} writes`);
  for (let i = 1; i < writes.length; i++) assert.ok(writes[i][0] - writes[i - 1][0] >= 95, JSON.stringify(writes));
  // The drag's last state is written when its turn comes.
  await page.waitForFunction((v) => new URL(location.href).searchParams.get('out_channels') === v, String(last));
  assert.equal((await settledUrl(page)).searchParams.get('out_channels'), String(last));
  assert.equal(await stat(page, 'output-shape'), `${last}×4×4`);
  assert.deepEqual(problems, []);
  await context.close();
});
