// Real images: a PNG upload renders; a broken or empty file shows a message and the previous
// picture stays; the picture never leaves the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, canvasPainted, canvasDigest, stat, SHOTS } from './helpers.mjs';
import { encodePng } from './png.mjs';

const env = useBrowser();

test('a PNG upload renders; broken and empty files are refused with a message', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=standard&input=image');
  const methods = [];
  page.on('request', (r) => methods.push(r.method()));
  const before = await canvasDigest(page, 'canvas[data-stage-canvas="0"]');
  const png = encodePng(120, 80, (x, y) => [x * 2, y * 3, (x * y) % 256, 255]);
  await page.locator('#image-file').setInputFiles({ name: 'stripes.png', mimeType: 'image/png', buffer: png });
  // 120×80 keeps its proportions at the image height of 64: 96 wide.
  await page.waitForFunction(() => new URL(location.href).searchParams.get('width') === '96');
  assert.equal(await stat(page, 'output-shape'), '16×62×94');
  assert.ok(await canvasPainted(page, 'canvas[data-stage-canvas="0"]'));
  const uploaded = await canvasDigest(page, 'canvas[data-stage-canvas="0"]');
  assert.notEqual(uploaded, before);
  await page.screenshot({ path: `${SHOTS}/image-upload.png`, fullPage: true });

  await page.locator('#image-file').setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
  await page.waitForSelector('[role="alert"]');
  assert.match(await page.locator('[role="alert"]').textContent(), /broken\.png/);
  assert.equal(await canvasDigest(page, 'canvas[data-stage-canvas="0"]'), uploaded, 'previous picture stays');

  await page.locator('#image-file').setInputFiles({ name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) });
  await page.waitForFunction(() => document.querySelector('[role="alert"]')?.textContent.includes('empty.png'));
  assert.equal(await canvasDigest(page, 'canvas[data-stage-canvas="0"]'), uploaded);
  // Nothing was sent anywhere: only the page's own GETs.
  assert.ok(methods.every((m) => m === 'GET'), methods.join(','));
  assert.deepEqual(problems, []);
  await context.close();
});
