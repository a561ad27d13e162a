// The figure first: at a laptop's 1280×800 every stage, every kernel set and the four headline
// figures of each layer type's default are on the first screen; on a 375×667 phone the first
// stage starts on the first screen and nothing is wider than it; in a 640×480 frame the whole
// computation is inside the frame and no two labels overlap. No map is ever clipped by its canvas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useBrowser, usePages, SHOTS } from './helpers.mjs';

const env = useBrowser();

const LAYERS = ['standard', 'depthwise', 'pointwise', 'separable', 'transposed', 'upsample', 'dilated', 'grouped', 'subpixel'];
const CHANNEL_BLOCKS = 'figure.stage canvas, figure.kernels canvas';
const BLOCKS = CHANNEL_BLOCKS;
const VOLUME = 'figure[data-view="volume"] canvas[data-volume]';

const load = usePages(env);

/**
 * `query` loaded at `viewport` and `deviceScaleFactor`, its figure drawn and settled. The checks
 * below read the channel view's per-block canvases, so a query naming no view opens
 * `view=channels`; the volume view has its own checks at the end.
 */
async function open(query, viewport, deviceScaleFactor = 1) {
  if (!/(^|&)view=/.test(query)) query += '&view=channels';
  const { page, problems } = await load(`${env.server.url}?${query}`, viewport, deviceScaleFactor);
  await page.waitForSelector('[data-ready="true"] [data-stat="output-shape"]', { timeout: 15000 });
  try {
    await settled(page, /(^|&)view=volume/.test(query) ? VOLUME : CHANNEL_BLOCKS);
  } catch (e) {
    throw new Error(`${query} at ${viewport.width}×${viewport.height}@${deviceScaleFactor}: ${e.message} ${problems.join(' ')}`);
  }
  return { page, problems };
}

/** Wait until every block canvas has been drawn and the figure's plan no longer changes. */
async function settled(page, BLOCKS = CHANNEL_BLOCKS) {
  await page.waitForFunction((sel) => {
    const all = [...document.querySelectorAll(sel)];
    return all.length > 0 && all.every((c) => Number(c.dataset.drawn || 0) > 0);
  }, BLOCKS, { timeout: 8000 });
  let last = '';
  for (let i = 0; i < 20; i++) {
    const now = await page.evaluate((sel) => [...document.querySelectorAll(sel)]
      .map((c) => `${c.width}x${c.height}@${c.dataset.drawn}`).join(' '), BLOCKS);
    if (now === last) return;
    last = now;
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
}

const rects = (page, selector) => page.evaluate((sel) => [...document.querySelectorAll(sel)].map((e) => {
  const r = e.getBoundingClientRect();
  return { sel, left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
}), selector);

function inside(r, w, h, what) {
  assert.ok(r.width > 0 && r.height > 0, `${what}: not shown`);
  assert.ok(r.left >= -0.5 && r.top >= -0.5 && r.right <= w + 0.5 && r.bottom <= h + 0.5,
    `${what} at ${JSON.stringify(r)} is outside ${w}×${h}`);
}

for (const layer of LAYERS) {
  test(`${layer}: the whole computation is on a 1280×800 screen`, async () => {
    const { page, problems } = await open(`layer=${layer}&lang=en`, { width: 1280, height: 800 });
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    const blocks = await rects(page, BLOCKS);
    assert.ok(blocks.length >= 3, `${layer}: ${blocks.length} blocks`);
    blocks.forEach((r, i) => inside(r, 1280, 800, `${layer} block ${i}`));
    for (const s of ['output-shape', 'params', 'macs', 'flops']) {
      const [r] = await rects(page, `[data-stat="${s}"]`);
      inside(r, 1280, 800, `${layer} ${s}`);
    }
    await page.screenshot({ path: path.join(SHOTS, `layout-desktop-${layer}.png`) });
    assert.deepEqual(problems, []);
  });

  test(`${layer}: on a 375×667 phone the figure starts on the first screen`, async () => {
    const { page, problems } = await open(`layer=${layer}&lang=zh`, { width: 375, height: 667 });
    const [first] = await rects(page, 'figure.stage canvas');
    assert.ok(first.top < 667 && first.top >= 0, `${layer}: first stage at ${first.top}`);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(sideways <= 375, `${layer}: page is ${sideways} px wide`);
    for (const r of await rects(page, BLOCKS)) assert.ok(r.right <= 375.5, `${layer}: block to ${r.right}`);
    await page.screenshot({ path: path.join(SHOTS, `layout-phone-${layer}.png`) });
    assert.deepEqual(problems, []);
  });
}

/** Boxes of every label: captions, figures, and the labels drawn on each canvas. */
async function labelBoxes(page) {
  return page.evaluate(() => {
    const out = [];
    const sel = 'figcaption .title, figcaption .shape, .stats dt, .stats dd, .step-count, .legend-item';
    for (const e of document.querySelectorAll(sel)) {
      const range = document.createRange();
      range.selectNodeContents(e);
      const r = range.getBoundingClientRect();
      if (r.width > 0) out.push({ what: `${e.className || e.tagName}: ${e.textContent.slice(0, 30)}`, x: r.left, y: r.top, w: r.width, h: r.height });
    }
    for (const c of document.querySelectorAll('figure.stage canvas, figure.kernels canvas')) {
      const cr = c.getBoundingClientRect();
      for (const b of (c.dataset.labels || '').split(';').filter(Boolean)) {
        const [x, y, w, h] = b.split(',').map(Number);
        out.push({ what: `canvas label in ${c.closest('figure').className}`, x: cr.left + x, y: cr.top + y, w, h });
      }
    }
    return out;
  });
}

function overlapping(boxes) {
  const hits = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const ix = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const iy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (ix > 0.5 && iy > 0.5) hits.push(`${a.what} × ${b.what}`);
    }
  }
  return hits;
}

for (const lang of ['en', 'zh']) {
  test(`embedded at 640×480 (${lang}): every layer's computation is inside the frame, labels apart`, async () => {
    for (const layer of LAYERS) {
      const { page, problems } = await open(`layer=${layer}&embed=1&lang=${lang}`, { width: 640, height: 480 });
      assert.equal(await page.evaluate(() => window.scrollY), 0);
      const blocks = await rects(page, BLOCKS);
      assert.ok(blocks.length >= 3);
      blocks.forEach((r, i) => inside(r, 640, 480, `${layer}/${lang} block ${i}`));
      const boxes = await labelBoxes(page);
      assert.ok(boxes.filter((b) => b.what.startsWith('canvas label')).length >= 3, `${layer}: canvas labels recorded`);
      assert.deepEqual(overlapping(boxes), [], `${layer}/${lang}`);
      const cell = Number(await page.locator('.stages').getAttribute('data-cell'));
      assert.ok(cell >= 7, `${layer}/${lang}: cells of ${cell} px`);
      await page.screenshot({ path: path.join(SHOTS, `layout-embed-${layer}-${lang}.png`) });
      assert.deepEqual(problems, []);
    }
  });
}

test('labels never overlap on the desktop and phone pages either', async () => {
  for (const [viewport, q] of [[{ width: 1280, height: 800 }, 'lang=en'], [{ width: 375, height: 667 }, 'lang=zh']]) {
    for (const layer of LAYERS) {
      const { page } = await open(`layer=${layer}&${q}`, viewport);
      assert.deepEqual(overlapping(await labelBoxes(page)), [], `${layer} at ${viewport.width}`);
    }
  }
});

/**
 * Every map of every block lies inside its canvas with its frame, the canvas is shown at the size
 * it was drawn for (no CSS squeeze or crop), and the frame under the last row is painted.
 */
async function assertNoClipping(page, what) {
  const report = await page.evaluate((sel) => {
    const out = [];
    for (const c of document.querySelectorAll(sel)) {
      const d = c.dataset;
      const [ox, oy] = d.origin.split(',').map(Number);
      const [px, py] = d.pitch.split(',').map(Number);
      const cols = Number(d.cols);
      const shown = Number(d.shown);
      const mw = Number(d.mapW);
      const mh = Number(d.mapH);
      const last = shown - 1;
      const right = ox + (Math.min(shown, cols) - 1) * px + mw;
      const bottom = oy + Math.floor(last / cols) * py + mh;
      const r = c.getBoundingClientRect();
      const fig = c.closest('figure').getBoundingClientRect();
      const dpr = window.devicePixelRatio;
      // The frame line just under the last map's middle column: painted, not transparent.
      const lx = ox + (last % cols) * px + mw / 2;
      const pixel = c.getContext('2d').getImageData(Math.floor(lx * dpr), Math.floor((bottom + 1) * dpr), 1, 1).data;
      out.push({
        block: c.closest('figure').className,
        cssW: r.width, cssH: r.height, backW: c.width / dpr, backH: c.height / dpr,
        right, bottom, figBottom: fig.bottom, canvasBottom: r.bottom, alpha: pixel[3],
      });
    }
    return out;
  }, BLOCKS);
  assert.ok(report.length >= 2, `${what}: ${report.length} blocks`);
  for (const b of report) {
    const w = `${what} ${b.block}: ${JSON.stringify(b)}`;
    assert.ok(Math.abs(b.cssW - b.backW) <= 1 && Math.abs(b.cssH - b.backH) <= 1, `shown at another size: ${w}`);
    assert.ok(b.right + 2 <= b.cssW && b.bottom + 2 <= b.cssH, `last map outside its canvas: ${w}`);
    assert.ok(b.canvasBottom <= b.figBottom + 0.5, `canvas cut by its figure: ${w}`);
    assert.ok(b.alpha > 0, `frame under the last row not painted: ${w}`);
  }
}

test('no map is clipped: every layer at several settings, device pixel ratios 1 and 2', async () => {
  const queries = LAYERS.map((l) => `layer=${l}`).concat([
    'layer=standard&kernel_size=5&out_channels=24&height=12&width=12',
    'layer=grouped&in_channels=8&out_channels=16&groups=4&kernel_size=1',
    'layer=separable&in_channels=6&out_channels=10&depth_multiplier=2&kernel_size=5&height=9&width=9',
    'layer=transposed&stride=3&kernel_size=4&height=5&width=5&in_channels=2&out_channels=3',
    'layer=dilated&dilation=3&kernel_size=3&height=11&width=11&in_channels=2&out_channels=2',
    'layer=upsample&scale_factor=3&kernel_size=5&padding=2',
    'layer=pointwise&in_channels=32&out_channels=40&height=5&width=7',
    // The largest layer: pictures, in one row at a small cell (layout::PICTURE_CELL).
    'layer=standard&height=64&width=64&in_channels=32&out_channels=64&kernel_size=11&padding=5&view=channels',
  ]);
  // Laptop and frame at device pixel ratio 1, phone at 2.
  for (const [vw, vh, dpr] of [[1280, 800, 1], [375, 667, 2], [640, 480, 1]]) {
    {
      for (const q of queries) {
        const embed = vw === 640 ? '&embed=1' : '';
        const { page, problems } = await open(`${q}${embed}`, { width: vw, height: vh }, dpr);
        await assertNoClipping(page, `${q} at ${vw}×${vh}@${dpr}`);
        assert.deepEqual(problems, []);
      }
    }
  }
});

test('README screenshots: desktop and phone, from this layout', async () => {
  const docs = path.resolve('docs');
  const write = process.env.README_SHOTS === '1';
  for (const [name, q, viewport] of [
    ['transposed.png', 'layer=transposed&lang=en&view=volume', { width: 1280, height: 800 }],
    ['grouped-phone.png', 'layer=grouped&lang=en&view=volume', { width: 375, height: 667 }],
  ]) {
    const { page } = await open(q, viewport);
    if (name === 'transposed.png') {
      for (let i = 0; i < 23; i++) await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.querySelector('[data-stat=trace]').textContent.includes(' = '));
    }
    const file = write ? path.join(docs, name) : path.join(SHOTS, `readme-${name}`);
    await page.screenshot({ path: file });
    assert.ok(fs.statSync(file).size > 10000, `${file} is a real picture`);
  }
});

test('the Sobel X preset draws zeros down its middle column', async () => {
  const { page, problems } = await open('layer=dilated&dilation=1&lang=en', { width: 1280, height: 800 });
  const canvas = page.locator('figure.kernels canvas').first();
  const before = await canvas.getAttribute('data-drawn');
  await page.locator('#kernel-select').selectOption('sobel-x');
  await page.waitForFunction((b) => document.querySelector('figure.kernels canvas').dataset.drawn !== b, before);
  const pixels = await canvas.evaluate((c) => {
    const [ox, oy] = c.dataset.origin.split(',').map(Number);
    const cell = Number(c.dataset.cell);
    const ctx = c.getContext('2d');
    // A point inside each cell, clear of the value written in its middle.
    const at = (row, col) => [...ctx.getImageData(Math.floor(ox + col * cell + 3), Math.floor(oy + row * cell + 3), 1, 1).data];
    return [0, 1, 2].map((r) => [0, 1, 2].map((col) => at(r, col)));
  });
  // Zero is the middle of the diverging scale (near white); −1, −2 blue and 1, 2 red.
  const white = ([r, g, b]) => r > 235 && g > 235 && b > 235;
  for (let r = 0; r < 3; r++) {
    assert.ok(white(pixels[r][1]), `row ${r} middle: ${pixels[r][1]}`);
    assert.ok(!white(pixels[r][0]) && pixels[r][0][2] > pixels[r][0][0], `row ${r} left is negative: ${pixels[r][0]}`);
    assert.ok(!white(pixels[r][2]) && pixels[r][2][0] > pixels[r][2][2], `row ${r} right is positive: ${pixels[r][2]}`);
  }
  assert.deepEqual(problems, []);
});

test('notices: one line per corrected parameter, final values, reasons in the page language', async () => {
  const q = 'layer=grouped&in_channels=6&out_channels=8&groups=4&kernel_size=99&lang=zh';
  const { page, problems } = await open(q, { width: 1280, height: 800 });
  const lines = async () => page.locator('[role="alert"] li').allTextContents();
  const zh = await lines();
  assert.equal(zh.length, 2, zh.join(' | '));
  assert.ok(zh.some((l) => l.includes('kernel_size') && l.includes('99 → 6')), zh.join(' | '));
  assert.ok(zh.some((l) => l.includes('groups') && l.includes('4 → 2')), zh.join(' | '));
  for (const l of zh) {
    const reason = l.slice(l.lastIndexOf('（'));
    assert.ok(/[\u4e00-\u9fff]/.test(reason) && !/[A-Za-z]{3,}/.test(reason), `reason not in Chinese: ${l}`);
  }
  // Switching the language words the same notices again.
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForFunction(() => !/[\u4e00-\u9fff]/.test(document.querySelector('[role="alert"] ul').textContent));
  const en = await lines();
  assert.equal(en.length, 2);
  assert.ok(en.every((l) => /[a-z]{3,}/.test(l)), en.join(' | '));
  assert.deepEqual(problems, []);
});

test('on a phone, opening the parameter drawer keeps maps in view above it while a slider redraws them', async () => {
  for (const layer of ['standard', 'transposed', 'grouped']) {
    const { page, problems } = await open(`layer=${layer}&lang=zh`, { width: 375, height: 667 });
    await page.locator('.drawer-toggle').click();
    await page.locator('#slider-kernel_size').waitFor();
    const drawerTop = (await page.locator('.drawer').boundingBox()).y;
    const first = (await rects(page, 'figure.stage canvas'))[0];
    assert.ok(first.top >= 0 && first.top + 20 < drawerTop, `${layer}: first map at ${first.top}, drawer at ${drawerTop}`);
    // The output map is redrawn (the input's pixels do not change with the kernel size).
    const output = 'figure.stage-output canvas';
    const before = await page.locator(output).getAttribute('data-drawn');
    await page.locator('#slider-kernel_size').focus();
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(([sel, b]) => document.querySelector(sel).dataset.drawn !== b, [output, before]);
    const again = (await rects(page, 'figure.stage canvas'))[0];
    assert.ok(again.top + 20 < drawerTop, `${layer}: after the change the first map is at ${again.top}`);
    await page.screenshot({ path: path.join(SHOTS, `layout-phone-drawer-${layer}.png`) });
    assert.deepEqual(problems, []);
  }
});

// The volume view (the page's default): one canvas holds the whole computation.
for (const layer of LAYERS) {
  test(`${layer}, volumes: the whole computation on a 1280×800 screen, on a phone from the first screen, in a 640×480 frame`, async () => {
    for (const [viewport, q, whole] of [
      [{ width: 1280, height: 800 }, 'lang=en', true],
      [{ width: 375, height: 667 }, 'lang=zh', false],
      [{ width: 640, height: 480 }, 'lang=zh&embed=1', true],
    ]) {
      const { page, problems } = await open(`layer=${layer}&${q}&view=volume`, viewport, 2);
      const what = `${layer} at ${viewport.width}`;
      const [r] = await rects(page, VOLUME);
      const c = await page.locator(VOLUME).evaluate((e) => ({ fits: e.dataset.fits, backW: e.width / 2, backH: e.height / 2, cell: Number(e.dataset.cell) }));
      // Shown at the size it was drawn for, crisp at the device pixel ratio.
      assert.ok(Math.abs(r.width - c.backW) <= 1 && Math.abs(r.height - c.backH) <= 1, `${what}: ${JSON.stringify([r, c])}`);
      assert.ok(r.right <= viewport.width + 0.5, `${what}: canvas to ${r.right}`);
      if (whole) {
        assert.equal(c.fits, 'true', `${what}: fits`);
        inside(r, viewport.width, viewport.height, what);
      } else {
        assert.ok(r.top >= 0 && r.top < viewport.height - 60, `${what}: figure starts at ${r.top}`);
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= viewport.width, `${what}: sideways scroll`);
      }
      assert.ok(c.cell >= 3, `${what}: cells of ${c.cell} px`);
      await page.screenshot({ path: path.join(SHOTS, `layout-volume-${layer}-${viewport.width}.png`) });
      assert.deepEqual(problems, []);
    }
  });
}
