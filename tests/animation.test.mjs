// Step-by-step animation and tracing: steps advance and change the trace, play moves and pause
// holds, the written-out sums add up, and tracing a transposed input shows its stamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, stat, settledUrl, SHOTS, evalTrace } from './helpers.mjs';

const env = useBrowser();

/** Page coordinates of cell (y, x) of channel 0 on stage canvas `index`. */
async function cellPoint(page, index, y, x) {
  const canvas = page.locator(`canvas[data-stage-canvas="${index}"]`);
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const cell = Number(await canvas.getAttribute('data-cell'));
  return { x: box.x + (x + 0.5) * cell, y: box.y + 16 + (y + 0.5) * cell };
}

const stepForward = (page) => page.getByRole('button', { name: 'Step forward' }).click();

test('a 5×5 input with a 3×3 kernel has 9 steps; stepping changes the trace', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=standard&height=5&width=5&in_channels=1&out_channels=1');
  assert.equal(await stat(page, 'step'), '0 / 9');
  await stepForward(page);
  assert.equal(await stat(page, 'step'), '1 / 9');
  await page.waitForFunction(() => document.querySelector('[data-stat=trace]').textContent.includes(' = '));
  const first = await stat(page, 'trace');
  await stepForward(page);
  assert.equal(await stat(page, 'step'), '2 / 9');
  const second = await stat(page, 'trace');
  assert.notEqual(first, second);
  for (const t of [first, second]) {
    const [sum, value] = evalTrace(t);
    assert.ok(Math.abs(sum - value) < 1e-3, t);
    assert.equal(t.split(' + ').length, 9 + 1, 'nine products and the bias');
  }
  await page.getByRole('button', { name: 'Step back' }).click();
  assert.equal(await stat(page, 'step'), '1 / 9');
  assert.equal(await stat(page, 'trace'), first);
  assert.deepEqual(problems, []);
  await context.close();
});

test('play moves, pause holds; keyboard steps', async () => {
  // The page's clock is the test's: clock.runFor(ms) returns once every timer due in `ms` of the
  // page's time has fired, so "pause holds" needs no sleep.
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=dilated', undefined, { clock: true });
  const step = async () => Number((await stat(page, 'step')).split(' / ')[0]);
  const n = Number((await stat(page, 'step')).split(' / ')[1]);
  assert.equal(n, 9);
  const start = await step();
  await page.getByRole('button', { name: 'Play' }).click();
  // The same clock moves a playing animation: at the default 4 steps a second, one second of the
  // page's time plays 4 steps (more if ticks fell due on the way; 9 would come round again).
  await page.clock.runFor(1000);
  const played = (await step() - start + n) % n;
  assert.ok(played >= 4, `played ${played} steps`);
  await page.getByRole('button', { name: 'Pause' }).click();
  const held = await stat(page, 'step');
  // Paused, five seconds of the page's timers (twenty ticks when playing) leave the step.
  await page.clock.runFor(5000);
  assert.equal(await stat(page, 'step'), held);
  await page.locator('h2').first().click();
  await page.keyboard.press('ArrowRight');
  const next = Number(held.split(' / ')[0]) + 1;
  assert.equal((await stat(page, 'step')).split(' / ')[0], String(next));
  assert.deepEqual(problems, []);
  await context.close();
});

test('mid-animation screenshots of every layer; every step sum adds up', async () => {
  const layers = ['standard', 'depthwise', 'pointwise', 'separable', 'transposed', 'upsample', 'dilated', 'grouped', 'subpixel'];
  const { page, context, problems } = await openPage(env.browser, env.server.url);
  let sums = 0;
  for (const layer of layers) {
    await page.goto(`${env.server.url}?layer=${layer}&view=channels`);
    await page.waitForSelector('[data-stat="step"]');
    const n = Number((await stat(page, 'step')).split(' / ')[1]);
    assert.ok(n > 0, layer);
    const scrub = page.getByRole('slider', { name: 'Step', exact: true });
    await scrub.fill(String(Math.ceil(n / 2)));
    await page.waitForFunction((n) => document.querySelector('[data-stat=step]').textContent.startsWith(`${Math.ceil(n / 2)} /`), n);
    const t = await stat(page, 'trace');
    // A convolution step writes its sum; an upsampling step says which pixel it copies.
    assert.ok(t.includes(' = ') || t.includes('→'), `${layer}: ${t}`);
    if (t.includes(' = ')) {
      const [sum, value] = evalTrace(t);
      assert.ok(Math.abs(sum - value) < 1e-3, `${layer}: ${t}`);
      sums += 1;
    }
    await page.screenshot({ path: `${SHOTS}/step-${layer}.png`, fullPage: true });
  }
  assert.ok(sums >= layers.length - 1, `only ${sums} of ${layers.length} steps wrote a sum`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('hovering output cells traces them: sums equal the value for several layers', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url);
  for (const layer of ['standard', 'grouped', 'dilated', 'separable', 'upsample', 'transposed', 'depthwise']) {
    await page.goto(`${env.server.url}?layer=${layer}&view=channels`);
    await page.waitForSelector('figure[data-stage="output"] canvas[data-cell]');
    const outStage = Number(await page.locator('figure[data-stage="output"] canvas').getAttribute('data-stage-canvas'));
    for (const [y, x] of [[0, 0], [1, 2], [2, 1]]) {
      const p = await cellPoint(page, outStage, y, x);
      await page.mouse.move(p.x, p.y);
      await page.waitForFunction(() => document.querySelector('[data-stat=trace]').textContent.includes(' = '));
      const t = await stat(page, 'trace');
      const [sum, value] = evalTrace(t);
      assert.ok(Math.abs(sum - value) < 1e-3, `${layer} (${y}, ${x}): ${t}`);
      await page.mouse.move(0, 0);
    }
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('tracing a transposed input cell shows the stamps of the scatter view', async () => {
  const q = 'layer=transposed&height=4&width=4&in_channels=1&out_channels=1&kernel_size=3&stride=2&padding=1&output_padding=1';
  const { page, context, problems } = await openPage(env.browser, env.server.url, q);
  await page.getByRole('button', { name: 'Each input pixel stamps the kernel' }).click();
  const [iy, ix] = [1, 2];
  const p = await cellPoint(page, 0, iy, ix);
  await page.mouse.click(p.x, p.y);
  await page.waitForFunction(() => document.querySelector('[data-stat=trace]').textContent.includes('→'));
  const t = await stat(page, 'trace');
  const got = [...t.matchAll(/→ \((\d+), (\d+)\)/g)].map((m) => `${m[1]},${m[2]}`).sort();
  // Output cell (iy·s + ky − p, ix·s + kx − p) for every tap inside the 8×8 output.
  const want = [];
  for (let ky = 0; ky < 3; ky++) {
    for (let kx = 0; kx < 3; kx++) {
      const oy = iy * 2 + ky - 1;
      const ox = ix * 2 + kx - 1;
      if (oy >= 0 && ox >= 0 && oy < 8 && ox < 8) want.push(`${oy},${ox}`);
    }
  }
  assert.deepEqual(got, want.sort());
  // The overlap map is on the page beside the upsample + conv coverage.
  assert.ok(await page.locator('[data-map="overlap"]').count());
  assert.ok(await page.locator('[data-map="coverage"]').count());
  assert.deepEqual(problems, []);
  await context.close();
});

test('bilinear upsampling: mode and align_corners from the controls and the URL; a traced cell shows the pixels it mixes', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=upsample&lang=en');
  const bilinear = page.locator('button[data-mode="bilinear"]');
  await bilinear.click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('mode') === 'bilinear');
  assert.equal(await bilinear.getAttribute('aria-pressed'), 'true');
  assert.equal((await settledUrl(page)).searchParams.get('align_corners'), '0');
  const corners = page.locator('#align-corners-toggle');
  await corners.check();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('align_corners') === '1');
  // The upsampled map: each cell a mix of at most four input pixels, written out as value × weight.
  for (const query of ['layer=upsample&mode=bilinear&align_corners=1', 'layer=upsample&mode=bilinear&align_corners=0&scale_factor=3']) {
    await page.goto(`${env.server.url}?${query}&view=channels`);
    await page.waitForSelector('figure[data-stage="upsampled"] canvas[data-cell]');
    assert.equal(await page.locator('button[data-mode="bilinear"]').getAttribute('aria-pressed'), 'true', query);
    assert.equal(await page.locator('#align-corners-toggle').isChecked(), query.includes('align_corners=1'), query);
    const index = Number(await page.locator('figure[data-stage="upsampled"] canvas').getAttribute('data-stage-canvas'));
    for (const [y, x] of [[0, 0], [1, 2], [3, 4]]) {
      const p = await cellPoint(page, index, y, x);
      await page.mouse.move(p.x, p.y);
      await page.waitForFunction(() => document.querySelector('[data-stat=trace]').textContent.includes(' = '));
      const t = await stat(page, 'trace');
      const terms = t.split(' = ')[0].split(' + ');
      assert.ok(terms.length >= 1 && terms.length <= 4 && !t.includes('bias'), `${query} (${y}, ${x}): ${t}`);
      const weights = terms.map((term) => Number(term.split('×')[1]));
      assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 0.02, `${query}: weights ${weights}`);
      const [sum, value] = evalTrace(t);
      assert.ok(Math.abs(sum - value) < 0.05, `${query} (${y}, ${x}): ${t}`);
      await page.mouse.move(0, 0);
    }
  }
  // Nearest again: align_corners leaves the URL and the controls.
  await page.locator('button[data-mode="nearest"]').click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('mode') === 'nearest');
  assert.equal((await settledUrl(page)).searchParams.get('align_corners'), null);
  assert.equal(await page.locator('#align-corners-toggle').count(), 0);
  await page.screenshot({ path: `${SHOTS}/upsample-bilinear.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

/** In the page: a digest of the pixels of cell (y, x) of channel 0 on stage canvas `index`; given
 * an earlier digest `was`, whether the cell has changed since. */
const CELL_DIGEST = ([index, y, x, was]) => {
  const c = document.querySelector(`canvas[data-stage-canvas="${index}"]`);
  const scale = c.width / c.clientWidth;
  const cell = Number(c.getAttribute('data-cell')) * scale;
  const { data } = c.getContext('2d').getImageData(Math.round(x * cell), Math.round(16 * scale + y * cell), Math.round(cell), Math.round(cell));
  let h = 2166136261;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 16777619) >>> 0;
  return was === undefined ? h : h !== was;
};

test('padding_mode: from the URL and the control, in the code; a border cell lights the cell it copies', async () => {
  const query = 'layer=standard&height=5&width=5&in_channels=1&out_channels=1&padding=2&padding_mode=reflect&view=channels&lang=en';
  const { page, context, problems } = await openPage(env.browser, env.server.url, query);
  const select = page.locator('#padding-mode-select');
  assert.equal(await select.inputValue(), 'reflect');
  assert.ok((await stat(page, 'pytorch-code')).includes('padding=2, padding_mode="reflect"'));
  assert.ok((await stat(page, 'keras-code')).includes('keras.ops.pad(t, [[0, 0], [2, 2], [2, 2], [0, 0]], mode="reflect")'));
  await page.waitForSelector('figure[data-stage="padded"] canvas[data-cell]');
  const index = async (stage) => Number(await page.locator(`figure[data-stage="${stage}"] canvas`).getAttribute('data-stage-canvas'));
  const [input, padded] = [await index('input'), await index('padded')];
  // Padded cell (0, 0) reflects input cell (2, 2) (the edge is not repeated); (0, 3) reflects
  // (2, 1). Hovering a border cell lights the cell it copies (the rest of the input is dimmed):
  // each source cell looks different when its copy is hovered than when the other one is.
  const sources = [[2, 2], [2, 1]];
  const seen = [];
  for (const [[py, px], [sy, sx]] of [[[0, 0], sources[0]], [[0, 3], sources[1]]]) {
    const before = await page.evaluate(CELL_DIGEST, [input, sy, sx]);
    const p = await cellPoint(page, padded, py, px);
    await page.mouse.move(p.x, p.y);
    await page.waitForFunction(CELL_DIGEST, [input, sy, sx, before], { timeout: 5000 })
      .catch(() => assert.fail(`padded (${py}, ${px}) does not light input (${sy}, ${sx})`));
    seen.push(await Promise.all(sources.map(([y, x]) => page.evaluate(CELL_DIGEST, [input, y, x]))));
  }
  assert.notEqual(seen[0][0], seen[1][0], 'input (2, 2) looks the same lit and not');
  assert.notEqual(seen[1][1], seen[0][1], 'input (2, 1) looks the same lit and not');
  await page.mouse.move(0, 0);
  // The control: circular, then zeros, which leaves the URL (PyTorch's default).
  await select.selectOption('circular');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('padding_mode') === 'circular');
  assert.ok((await stat(page, 'keras-code')).includes('mode="wrap"'));
  await select.selectOption('zeros');
  await page.waitForFunction(() => !new URL(location.href).searchParams.has('padding_mode'));
  assert.ok(!(await stat(page, 'pytorch-code')).includes('padding_mode'));
  // A reflect padding as large as the map is lowered, with a notice.
  await page.goto(`${env.server.url}?layer=standard&height=3&width=3&kernel_size=3&padding=3&padding_mode=reflect&lang=en`);
  await page.waitForSelector('[role="alert"]');
  assert.equal((await settledUrl(page)).searchParams.get('padding'), '2');
  assert.match(await page.locator('[role="alert"]').first().textContent(), /reflection padding allows at most 2/);
  await page.screenshot({ path: `${SHOTS}/padding-mode.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
