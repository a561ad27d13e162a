// The chain end to end: the release build loads with no console error or uncaught exception,
// makes no request outside its origin, and paints its canvases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, serve, canvasPainted, stat } from './helpers.mjs';

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
