// Sub-pixel convolution (layer=subpixel) and the lab below the figure (lab=grow|backward): the
// URL loads and round-trips, the figures equal the formulas, a shuffled cell traces back to the
// map it came from, the side-by-side view shows four outputs of one shape, the backward view
// shows the checkerboard of a strided convolution, and a lab drawn for an older state is never
// shown as the current one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { useBrowser, openPage, stat, settledUrl, SHOTS, evalTrace } from './helpers.mjs';

const env = useBrowser();

/** The SVG of the lab's current image (once it is drawn for the state shown), as its download
 * link saves it. */
async function labSvg(page) {
  const img = page.locator('img.lab-figure[data-current="true"]');
  await img.waitFor({ timeout: 20000 });
  await page.waitForFunction(() => {
    const el = document.querySelector('img.lab-figure[data-current="true"]');
    return el && el.complete && el.naturalWidth > 0;
  });
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a.lab-download').click()]);
  assert.match(download.suggestedFilename(), /^conv-lab-(grow|backward)\.svg$/);
  return fs.readFileSync(await download.path(), 'utf8');
}

test('sub-pixel convolution: URL, shapes, the shuffle traced back, the code', async () => {
  const q = 'layer=subpixel&height=4&width=5&in_channels=2&out_channels=2&kernel_size=3&padding=1&upscale_factor=3&view=channels&lang=en';
  const { page, context, problems } = await openPage(env.browser, env.server.url, q);
  assert.equal((await settledUrl(page)).searchParams.get('upscale_factor'), '3');
  assert.equal(await stat(page, 'output-shape'), '2×12×15');
  // A convolution to 2·3² = 18 maps at 4×5, then the shuffle: the same MACs as a 3×3
  // convolution at 12×15, 9 times its weights.
  assert.equal(Number((await stat(page, 'params')).replace(/\D/g, '')), 18 * 2 * 9 + 18);
  assert.equal(Number((await stat(page, 'macs')).replace(/\D/g, '')), 4 * 5 * 18 * 2 * 9);
  assert.equal(Number((await stat(page, 'standard-macs')).replace(/\D/g, '')), 12 * 15 * 2 * 2 * 9);
  assert.ok(await page.locator('figure[data-stage="before-shuffle"]').count(), 'the maps before the shuffle are drawn');
  assert.ok((await stat(page, 'pytorch-code')).includes('nn.Conv2d(2, 18, kernel_size=3, padding=1)'));
  assert.ok((await stat(page, 'pytorch-code')).includes('nn.PixelShuffle(3)'));
  assert.ok((await stat(page, 'keras-code')).includes('pixel_shuffle(t, 3)'));
  // An output cell is the value of one cell before the shuffle: its trace is that cell's sum.
  await page.waitForSelector('figure[data-stage="output"] canvas[data-cell]');
  const canvas = page.locator('figure[data-stage="output"] canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const cell = Number(await canvas.getAttribute('data-cell'));
  for (const [y, x] of [[0, 0], [1, 2], [5, 7]]) {
    await page.mouse.move(box.x + (x + 0.5) * cell, box.y + 16 + (y + 0.5) * cell);
    await page.waitForFunction(() => document.querySelector('[data-stat=trace]').textContent.includes(' = '));
    const t = await stat(page, 'trace');
    const [sum, value] = evalTrace(t);
    assert.ok(Math.abs(sum - value) < 1e-3, `(${y}, ${x}): ${t}`);
    assert.equal(t.split(' + ').length, 2 * 9 + 1, 'the window of one convolution cell and its bias');
  }
  await page.mouse.move(0, 0);
  // The layer select and the upscale slider write the URL.
  await page.goto(`${env.server.url}?layer=standard&lang=en&view=channels`);
  await page.locator('#layer-select').selectOption('subpixel');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('layer') === 'subpixel');
  const slider = page.getByRole('slider', { name: 'Upscale factor r' });
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('upscale_factor') === '3');
  assert.equal(await stat(page, 'output-shape'), '1×12×12');
  await page.screenshot({ path: `${SHOTS}/subpixel.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('lab=grow: four ways to grow the same input, outputs of one shape; then the backward view', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=subpixel&out_channels=2&lab=grow&lang=en');
  const svg = await labSvg(page);
  // The SVG's texts, lines joined (a long name may wrap in its panel).
  const words = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).join(' ');
  for (const name of ['Transposed convolution', 'Nearest upsampling + conv', 'Bilinear upsampling + conv', 'Sub-pixel convolution']) {
    assert.ok(words.includes(name), name);
  }
  // Four outputs of 2×8×8 (the preset's 4×4 input grown 2×), each with its coverage below.
  assert.equal((svg.match(/>2×8×8 · /g) || []).length, 4);
  assert.equal((svg.match(/class="c"/g) || []).length, 4 * 2 * 64);
  assert.equal(await page.locator('#lab-select').inputValue(), 'grow');
  await page.screenshot({ path: `${SHOTS}/lab-grow.png`, fullPage: true });
  // The backward view, from the select: the URL follows, a new image arrives.
  await page.locator('#lab-select').selectOption('backward');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('lab') === 'backward');
  assert.ok((await labSvg(page)).replace(/<\/text>\n<text[^>]*>/g, ' ').includes('Paths from the output'));
  await page.locator('#lab-select').selectOption('off');
  await page.waitForFunction(() => !new URL(location.href).searchParams.has('lab'));
  assert.equal(await page.locator('img.lab-figure').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('lab=backward: a strided 3×3 convolution counts 1, 2, 4 paths in a checkerboard', async () => {
  const q = 'layer=standard&height=9&width=9&in_channels=1&out_channels=1&stride=2&lab=backward&lang=zh';
  const { page, context, problems } = await openPage(env.browser, env.server.url, q);
  const svg = await labSvg(page);
  assert.ok(svg.replace(/<\/text>\n<text[^>]*>/g, '').includes('从输出出发的路径数'), 'drawn in the page language');
  // Values written in the cells of the two 9×9 maps; the paths take 1, 2 and 4.
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const v of ['1', '2', '4']) assert.ok(texts.includes(v), `a cell with ${v} paths`);
  assert.equal((svg.match(/class="c"/g) || []).length, 2 * 81);
  await page.screenshot({ path: `${SHOTS}/lab-backward.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the lab shows the newest state: changes while it is drawn never leave an older image current', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=subpixel&lab=grow&lang=en');
  await labSvg(page);
  const slider = page.getByRole('slider', { name: 'Height' });
  await slider.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('height') === '8');
  // While the answer for an older height arrives, the image is marked stale; the current one
  // is for height 8 (an output of 1×16×8).
  const svg = await labSvg(page);
  assert.equal((svg.match(/>1×16×8 · /g) || []).length, 4, 'drawn for the last height');
  assert.equal(await page.locator('.lab-status').isHidden(), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('lab=stack: the presets reproduce their published figures; a stack from the URL; a bad one is refused', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'lab=stack&stack=vgg16&lang=en');
  const figure = async (key) => (await page.locator(`[data-stat="${key}"]`).first().textContent()).trim();
  const want = {
    vgg16: { 'stack-output-shape': '512×7×7', 'stack-params': '14,714,688', 'stack-receptive-field': '212×212' },
    mobilenet_v1: { 'stack-output-shape': '1000', 'stack-params': '4,210,088', 'stack-macs': '568,740,352' },
    context_module: { 'stack-output-shape': '21×64×64', 'stack-receptive-field': '67×67', 'stack-footprint': '64×64' },
    unet_decoder: { 'stack-output-shape': '32×64×64' },
    unet_decoder_upsample: { 'stack-output-shape': '32×64×64' },
  };
  for (const [name, figures] of Object.entries(want)) {
    if (name !== 'vgg16') {
      await page.locator('#stack-select').selectOption(name);
      await page.waitForFunction((n) => new URL(location.href).searchParams.get('stack') === n, name);
    }
    await page.waitForSelector('img.lab-figure[data-current="true"]', { timeout: 30000 });
    for (const [key, value] of Object.entries(figures)) assert.equal(await figure(key), value, `${name} ${key}`);
  }
  await page.screenshot({ path: `${SHOTS}/lab-stack.png`, fullPage: true });
  // A stack written in the URL: two 3×3 layers at dilation 2 on a 9×9 map see all of it.
  await page.goto(`${env.server.url}?lab=stack&stack=1x9x9_dilated-o1-k3-d2-p0_dilated-o1-k3-d2-p0&lang=en`);
  await page.waitForSelector('img.lab-figure[data-current="true"]', { timeout: 30000 });
  assert.equal(await figure('stack-receptive-field'), '9×9');
  assert.equal(await figure('stack-footprint'), '9×9');
  // One that does not fit: the reason is shown, the page goes on.
  await page.goto(`${env.server.url}?lab=stack&stack=1x4x4_flatten_standard-o1-k3-s1-p0&lang=en`);
  await page.waitForSelector('.lab [role="alert"]', { timeout: 30000 });
  assert.match(await page.locator('.lab [role="alert"]').textContent(), /layer 2/);
  assert.ok(await page.locator('[data-stat="output-shape"]').count());
  assert.deepEqual(problems, []);
  await context.close();
});
