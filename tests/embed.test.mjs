// For tutorial authors: the demo page with three frames, the postMessage API (ready, set,
// state), hostile messages, exports of valid PNG / SVG / GIF files, code snippets, the share
// link and the compact embed mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { useBrowser, openPage, stat, SHOTS, gifFrames } from './helpers.mjs';

const env = useBrowser();

async function openDemo() {
  const context = await env.browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${env.server.url}embed-demo.html`);
  await page.waitForFunction(() => document.querySelectorAll('iframe[data-ready="true"]').length === 3, null, { timeout: 20000 });
  return { context, page, problems };
}


test('the demo page shows three working playgrounds', async () => {
  const { context, page, problems } = await openDemo();
  const expected = { 'pg-grouped': '8×4×4', 'pg-dilated': '1×5×5', 'pg-driven': '1×8×8' };
  for (const [id, shape] of Object.entries(expected)) {
    const frame = page.frameLocator(`#${id}`);
    assert.equal((await frame.locator('[data-stat="output-shape"]').textContent()).trim(), shape, id);
    assert.equal(await frame.locator('header.top').count(), 0, `${id}: compact chrome`);
  }
  // Frames are sized by their reported height.
  const h = await page.locator('#pg-grouped').evaluate((f) => f.style.height);
  assert.match(h, /^\d+px$/);
  await page.screenshot({ path: `${SHOTS}/embed-demo.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a host sends set, receives state, and the frame shows the new figures', async () => {
  const { context, page, problems } = await openDemo();
  const frame = page.frameLocator('#pg-driven');
  await page.getByRole('button', { name: 'k = 4, s = 2 (even)' }).click();
  await page.waitForFunction(() => document.getElementById('driven-state').textContent.includes('"kernel_size": 4'));
  // (4 − 1)·2 − 2·1 + (4 − 1) + 0 + 1 = 8
  assert.equal((await frame.locator('[data-stat="output-shape"]').textContent()).trim(), '1×8×8');
  // k = 4 is divisible by s = 2: even stamps away from the borders, and the note says so.
  assert.equal(await frame.locator('[data-map="overlap"] [data-note]').getAttribute('data-note'), 'overlap.even');
  assert.match(await frame.locator('[data-map="overlap"] [data-note]').textContent(), /^Even counts/);
  await page.getByRole('button', { name: 'k = 3, s = 1' }).click();
  await page.waitForFunction(() => document.getElementById('driven-state').textContent.includes('"stride": 1'));
  assert.equal((await frame.locator('[data-stat="output-shape"]').textContent()).trim(), '1×6×6');
  const state = JSON.parse(await page.locator('#driven-state').textContent());
  assert.equal(state.layer, 'transposed');
  assert.equal(state.kernel_size, 3);
  await page.getByRole('button', { name: '中文' }).click();
  await page.waitForFunction(() => document.getElementById('driven-state').textContent.includes('"lang": "zh"'));
  assert.match(await frame.locator('.controls-toggle summary').textContent(), /参数/);
  // The names and values of the URL, padding_mode included, both ways.
  await page.evaluate(() => document.getElementById('pg-driven').contentWindow.postMessage(
    { type: 'conv-playground:set', state: { layer: 'dilated', padding: 2, padding_mode: 'reflect' } }, location.origin));
  await page.waitForFunction(() => document.getElementById('driven-state').textContent.includes('"padding_mode": "reflect"'));
  assert.equal(await frame.locator('#padding-mode-select').inputValue(), 'reflect');
  assert.equal((await frame.locator('[data-stat="output-shape"]').textContent()).trim(), '1×7×7');
  // A stack, by name: the frame shows its figures and reports it.
  await page.evaluate(() => document.getElementById('pg-driven').contentWindow.postMessage(
    { type: 'conv-playground:set', state: { lab: 'stack', stack: 'context_module' } }, location.origin));
  await page.waitForFunction(() => document.getElementById('driven-state').textContent.includes('"stack": "context_module"'));
  assert.equal(JSON.parse(await page.locator('#driven-state').textContent()).lab, 'stack');
  await frame.locator('img.lab-figure[data-current="true"]').waitFor({ timeout: 30000 });
  assert.equal((await frame.locator('[data-stat="stack-receptive-field"]').textContent()).trim(), '67×67');
  assert.deepEqual(problems, []);
  await context.close();
});

test('hostile messages change nothing and raise no error; bad values are corrected', async () => {
  const { context, page, problems } = await openDemo();
  const frame = page.frameLocator('#pg-driven');
  const before = await page.locator('#driven-state').textContent();
  await page.evaluate(() => {
    const w = document.getElementById('pg-driven').contentWindow;
    const junk = [
      null, undefined, 0, 'conv-playground:set', [], [1, 2], { type: 'conv-playground:set' },
      { type: 'conv-playground:set', state: null }, { type: 'conv-playground:set', state: 'layer=grouped' },
      { type: 'conv-playground:set', state: [1, 2, 3] }, { type: 'other', state: { layer: 'grouped' } },
      { type: 'conv-playground:set', state: { evil: '<img src=x onerror="window.__pwned=1">', __proto__: { layer: 'grouped' } } },
      { type: 'conv-playground:set', state: { layer: { toString: 1 }, height: [4], width: { n: 1 } } },
      { type: 'conv-playground:set', state: { parent_origin: 'https://evil.example' } },
      new Date(), new ArrayBuffer(8),
    ];
    for (const m of junk) w.postMessage(m, location.origin);
    // Then one valid set: the frame handles messages in order, so once the state that answers
    // it arrives, every junk message before it has been handled and rendered.
    w.postMessage({ type: 'conv-playground:set', state: { theme: 'dark' } }, location.origin);
  });
  await page.waitForFunction(() => document.getElementById('driven-state').textContent.includes('"theme": "dark"'));
  assert.deepEqual(JSON.parse(await page.locator('#driven-state').textContent()), { ...JSON.parse(before), theme: 'dark' }, 'state unchanged but for the last, valid set');
  assert.equal(await frame.locator('[role="alert"]').count(), 0);
  // Bad values are corrected with a notice, as in a URL.
  await page.evaluate(() => {
    const w = document.getElementById('pg-driven').contentWindow;
    w.postMessage({ type: 'conv-playground:set', state: { kernel_size: -3, stride: 'NaN', output_padding: 1e30, padding: '<script>window.__pwned=1</script>' } }, location.origin);
  });
  await frame.locator('[role="alert"]').waitFor();
  assert.match((await frame.locator('[data-stat="output-shape"]').textContent()).trim(), /^\d+×\d+×\d+$/);
  const pwned = await page.evaluate(() => [window.__pwned, document.getElementById('pg-driven').contentWindow.__pwned]);
  assert.deepEqual(pwned, [undefined, undefined]);
  assert.deepEqual(problems, []);
  await context.close();
});

// parent_origin is tested from real host pages on other origins in origin.test.mjs.

test('PNG, SVG and GIF exports are valid files', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=grouped');
  const save = async (name) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name, exact: true }).click()]);
    const path = await download.path();
    return { name: download.suggestedFilename(), bytes: fs.readFileSync(path) };
  };
  const png = await save('PNG');
  assert.equal(png.name, 'conv-grouped.png');
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const svg = await save('SVG');
  const text = svg.bytes.toString('utf8');
  assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(text, /<\/svg>\s*$/);
  assert.ok((text.match(/<rect/g) || []).length > 100);
  const gif = await save('GIF');
  const frames = gifFrames(gif.bytes);
  assert.equal(frames, 16, 'one frame per output position of the 4×4 output');
  assert.deepEqual(problems, []);
  await context.close();
});

test('code snippets, share link and compact embed', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(env.server.url).origin });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${env.server.url}?layer=grouped&in_channels=4&out_channels=8&groups=2`);
  await page.waitForSelector('[data-stat="pytorch-code"]');
  assert.equal(
    await stat(page, 'pytorch-code'),
    'from torch import nn\n\nlayer = nn.Conv2d(4, 8, kernel_size=3, groups=2)',
  );
  assert.match(await stat(page, 'keras-code'), /layers\.Conv2D\(8, 3, .*groups=2\)/);
  // Change a slider first, so the link has to follow the page's state, not the address it loaded.
  await page.locator('#slider-kernel_size').fill('5');
  await page.waitForFunction(() => document.querySelector('[data-stat="output-shape"]').textContent.trim() === '8×2×2');
  await page.getByRole('button', { name: 'Share link' }).click();
  await page.waitForFunction(() => document.querySelector('.share .status')?.textContent.length > 0);
  const link = new URL(await page.evaluate(() => navigator.clipboard.readText()));
  const want = { layer: 'grouped', in_channels: '4', out_channels: '8', groups: '2', kernel_size: '5' };
  for (const [k, v] of Object.entries(want)) assert.equal(link.searchParams.get(k), v, `${k} in ${link}`);
  assert.equal(link.origin + link.pathname, new URL(env.server.url).origin + new URL(env.server.url).pathname);
  await page.getByRole('button', { name: 'Embed' }).click();
  const snippet = await page.locator('#embed-code').inputValue();
  assert.match(snippet, /^<iframe src="[^"]*layer=grouped[^"]*embed=1"/);
  const full = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.goto(`${env.server.url}?layer=grouped&in_channels=4&out_channels=8&groups=2&embed=1`);
  await page.waitForSelector('[data-stat="output-shape"]');
  const compact = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(compact < full, `embed ${compact}px < full ${full}px`);
  // At 640×480 the default embed fits without scrolling.
  await page.setViewportSize({ width: 640, height: 480 });
  await page.goto(`${env.server.url}?embed=1`);
  await page.waitForFunction(() => [...document.querySelectorAll('.figure canvas')].every((c, _, all) => all.length > 0 && Number(c.dataset.drawn) > 0));
  assert.ok(await page.evaluate(() => document.documentElement.scrollHeight <= 480));
  assert.deepEqual(problems, []);
  await context.close();
});
