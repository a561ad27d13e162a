// The volume view (the page's default): for every layer type, the hooks of the active kernel box
// (`data-active-channels`, `data-active-output`, `data-active-box` on `canvas[data-volume]`, see
// docs/CONVENTIONS.md) at several animation steps, against values computed here from the
// parameters in the URL; hovering a front face traces; exports of the view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { useBrowser, openPage, gifFrames, evalTrace } from './helpers.mjs';

const env = useBrowser();

/** `floor((n + pads − d·(k − 1) − 1) / s) + 1`, PyTorch's output length. */
const outLen = (n, k, s, pads, d = 1) => Math.floor((n + pads - d * (k - 1) - 1) / s) + 1;

async function hooks(page) {
  const c = page.locator('figure[data-view="volume"] canvas[data-volume]');
  return c.evaluate((e) => ({
    channels: e.dataset.activeChannels,
    output: e.dataset.activeOutput,
    box: (e.dataset.activeBox || '').split(',').map(Number),
    cell: Number(e.dataset.cell),
    cells: Number(e.dataset.cells),
    width: parseFloat(e.style.width),
    height: parseFloat(e.style.height),
    drawn: Number(e.dataset.drawn),
  }));
}

/** Step to animation step `k` (1-based) with the step slider, and wait for the redraw. */
async function stepTo(page, k) {
  const before = (await hooks(page)).drawn;
  await page.locator('#slider-step').fill(String(k));
  await page.waitForFunction(
    ([k, n]) => document.querySelector('[data-stat="step"]').textContent.trim().startsWith(`${k} /`)
      && Number(document.querySelector('canvas[data-volume]').dataset.drawn) > n,
    [k, before],
  );
  return hooks(page);
}

async function follow(page, channel) {
  await page.locator('#slider-channel').fill(String(channel));
  await page.waitForFunction((c) => document.querySelector('#slider-channel').value === String(c), channel);
}

// Each case: the URL, the followed output channel, and for a step k (1-based) the expected
// input channel range and output cell.
const cases = [
  {
    q: 'layer=standard&height=6&width=6&in_channels=3&out_channels=4&kernel_size=3&stride=1&padding=1',
    channel: 3,
    expect: (k) => { const o = outLen(6, 3, 1, 2); return { channels: '0-2', output: `3,${Math.floor((k - 1) / o)},${(k - 1) % o}` }; },
  },
  {
    q: 'layer=depthwise&height=6&width=6&in_channels=3&depth_multiplier=1&kernel_size=3&stride=1&padding=0',
    channel: 2,
    expect: (k) => { const o = outLen(6, 3, 1, 0); return { channels: '2-2', output: `2,${Math.floor((k - 1) / o)},${(k - 1) % o}` }; },
  },
  {
    q: 'layer=pointwise&height=5&width=5&in_channels=3&out_channels=4',
    channel: 1,
    expect: (k) => ({ channels: '0-2', output: `1,${Math.floor((k - 1) / 5)},${(k - 1) % 5}` }),
  },
  {
    q: 'layer=grouped&height=6&width=6&in_channels=8&out_channels=8&groups=4&kernel_size=3&stride=1&padding=0',
    channel: 5,
    // Output channel 5 is in group 5 ÷ (8 / 4) = 2, which reads input channels 4 and 5.
    expect: (k) => ({ channels: '4-5', output: `5,${Math.floor((k - 1) / 4)},${(k - 1) % 4}` }),
  },
  {
    q: 'layer=grouped&height=6&width=6&in_channels=8&out_channels=8&groups=2&kernel_size=3&stride=1&padding=0',
    channel: 5,
    expect: (k) => ({ channels: '4-7', output: `5,${Math.floor((k - 1) / 4)},${(k - 1) % 4}` }),
  },
  {
    q: 'layer=separable&height=6&width=6&in_channels=3&out_channels=4&kernel_size=3&stride=1&padding=0',
    channel: 0,
    // 16 depthwise steps (one input channel each), then 16 pointwise steps over all 3 channels.
    expect: (k) => k <= 16
      ? { channels: '0-0', output: `0,${Math.floor((k - 1) / 4)},${(k - 1) % 4}` }
      : { channels: '0-2', output: `0,${Math.floor((k - 17) / 4)},${(k - 17) % 4}` },
    steps: [1, 6, 17, 23],
  },
  {
    q: 'layer=transposed&height=4&width=4&in_channels=1&out_channels=1&kernel_size=3&stride=2&padding=1&output_padding=1',
    channel: 0,
    // (4 − 1)·2 − 2·1 + 3 + 1 = 8: one step per output cell.
    expect: (k) => ({ channels: '0-0', output: `0,${Math.floor((k - 1) / 8)},${(k - 1) % 8}` }),
  },
  {
    q: 'layer=upsample&height=4&width=4&in_channels=2&out_channels=2&scale_factor=2&kernel_size=3&padding=1',
    channel: 0,
    // 16 copy steps first: input pixel (y, x) fills the 2×2 block at (2y, 2x) in both channels.
    expect: (k) => k <= 16
      ? { channels: '0-1', output: `0,${2 * Math.floor((k - 1) / 4)},${2 * ((k - 1) % 4)}` }
      : { channels: '0-1', output: `0,${Math.floor((k - 17) / 8)},${(k - 17) % 8}` },
    steps: [1, 7, 17, 30],
  },
  {
    q: 'layer=dilated&height=7&width=7&in_channels=2&out_channels=2&kernel_size=3&dilation=2&stride=1&padding=0',
    channel: 1,
    expect: (k) => { const o = outLen(7, 3, 1, 0, 2); return { channels: '0-1', output: `1,${Math.floor((k - 1) / o)},${(k - 1) % o}` }; },
    extent: 5,
  },
];

for (const c of cases) {
  test(`volume view, ${c.q.split('&')[0]}: the active box spans the right channels and writes the right cell`, async () => {
    const { page, context, problems } = await openPage(env.browser, env.server.url, `${c.q}&view=volume`);
    assert.equal(await page.locator('[role="alert"]').count(), 0, 'the parameters are valid as given');
    if (c.channel > 0) await follow(page, c.channel);
    const boxes = [];
    for (const k of c.steps || [1, 2, 5, 9]) {
      const h = await stepTo(page, k);
      const want = c.expect(k);
      assert.equal(h.channels, want.channels, `step ${k}: channels`);
      assert.equal(h.output, want.output, `step ${k}: output cell`);
      const [x, y, w, bh] = h.box;
      assert.ok(w > 0 && bh > 0 && x >= 0 && y >= 0 && x + w <= h.width + 1 && y + bh <= h.height + 1, `step ${k}: box ${h.box} inside ${h.width}×${h.height}`);
      if (c.extent) assert.ok(w >= c.extent * h.cell, `step ${k}: the dilated box spans ${c.extent} cells (${w} px at ${h.cell})`);
      boxes.push(h.box.join(','));
    }
    assert.equal(new Set(boxes).size, boxes.length, `stepping moves the box: ${boxes.join(' | ')}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('volume view: the transposed scatter view stamps a box into the output', async () => {
  const q = 'layer=transposed&height=4&width=4&in_channels=1&out_channels=1&kernel_size=3&stride=2&padding=1&output_padding=1&view=volume';
  const { page, context, problems } = await openPage(env.browser, env.server.url, q);
  await page.getByRole('button', { name: 'Each input pixel stamps the kernel' }).click();
  await page.waitForFunction(() => document.querySelector('[data-stat="step"]').textContent.includes('/ 16'));
  // Input pixel (y, x) stamps rows 2y − 1 … 2y + 1 (cropped at 0 by the padding).
  for (const k of [1, 6, 16]) {
    const h = await stepTo(page, k);
    const [y, x] = [Math.floor((k - 1) / 4), (k - 1) % 4];
    assert.equal(h.output, `0,${Math.max(0, 2 * y - 1)},${Math.max(0, 2 * x - 1)}`, `stamp ${k}`);
    assert.equal(h.channels, '0-0');
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('volume view: hovering a front-face cell traces it, as in the channel view', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=standard&view=volume');
  const canvas = page.locator('canvas[data-volume]');
  const box = await canvas.boundingBox();
  // Front faces: `stage,x,y,cell,rows,cols`; the last one is the output's.
  const fronts = (await canvas.getAttribute('data-fronts')).split(';').map((f) => f.split(',').map(Number));
  assert.ok(fronts.length >= 2, 'input and output faces');
  const [, fx, fy, cell, rows, cols] = fronts[fronts.length - 1];
  assert.ok(rows > 2 && cols > 2);
  await page.mouse.move(box.x + fx + 2.5 * cell, box.y + fy + 1.5 * cell);
  await page.waitForFunction(() => document.querySelector('[data-stat=trace]').textContent.includes(' = '));
  const text = (await page.locator('[data-stat="trace"]').textContent()).trim();
  // The written-out sum adds up to the value it ends with, as in the channel view.
  const [sum, value] = evalTrace(text);
  assert.ok(Math.abs(sum - value) < 1e-3, text);
  await page.mouse.move(box.x - 5, box.y - 5);
  await page.waitForFunction(() => !document.querySelector('[data-stat=trace]').textContent.includes(' = '));
  assert.deepEqual(problems, []);
  await context.close();
});

test('volume view: PNG, SVG (one element per drawn cell) and a GIF with both separable phases', async () => {
  const q = 'layer=separable&height=6&width=6&in_channels=3&out_channels=4&kernel_size=3&stride=1&padding=0&view=volume';
  const { page, context, problems } = await openPage(env.browser, env.server.url, q);
  const save = async (name) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name, exact: true }).click()]);
    return fs.readFileSync(await download.path());
  };
  const png = await save('PNG');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const svg = (await save('SVG')).toString('utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const cells = (svg.match(/class="c"/g) || []).length;
  // The export is laid out at its own size; with this few channels every slab is drawn at any
  // size, so the file holds exactly the cells the page draws.
  assert.equal(cells, (await hooks(page)).cells, 'one SVG element per drawn cell');
  const gif = await save('GIF');
  assert.equal(gifFrames(gif), 32, '16 depthwise and 16 pointwise frames');
  assert.deepEqual(problems, []);
  await context.close();
});
