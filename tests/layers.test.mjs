// Every layer type, loaded by URL in several configurations: the live figures must equal
// the formulas of docs/CONVENTIONS.md, computed here independently of conv-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, stat, statNumber, canvasPainted, canvasDigest, SHOTS } from './helpers.mjs';

const env = useBrowser();

const convLen = (n, k, s, p, d) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

/** docs/CONVENTIONS.md's shapes and counts for a configuration (numeric symmetric padding). */
function expected(c) {
  const b = c.bias === 0 ? 0 : 1;
  const { layer, h, w, cin, cout } = c;
  let k = c.k ?? 3;
  let s = c.s ?? 1;
  let p = c.p ?? 0;
  let d = c.d ?? 1;
  let g = c.g ?? 1;
  if (layer === 'standard') { d = 1; g = 1; }
  if (layer === 'depthwise') { d = 1; g = cin; }
  if (layer === 'pointwise') { k = 1; s = 1; p = 0; d = 1; g = 1; }
  if (layer === 'dilated') g = 1;
  if (layer === 'grouped') d = 1;
  let ho;
  let wo;
  let params;
  let macs;
  let sp;
  let sm;
  let rf = (k - 1) * d + 1;
  if (layer === 'transposed') {
    const op = c.op ?? 0;
    ho = (h - 1) * s - 2 * p + d * (k - 1) + op + 1;
    wo = (w - 1) * s - 2 * p + d * (k - 1) + op + 1;
    params = cin * cout * k * k + b * cout;
    macs = h * w * cin * cout * k * k;
    sp = params;
    sm = ho * wo * cout * cin * k * k;
  } else if (layer === 'upsample') {
    const f = c.f ?? 2;
    ho = convLen(h * f, k, 1, p, 1);
    wo = convLen(w * f, k, 1, p, 1);
    params = cout * cin * k * k + b * cout;
    macs = ho * wo * cout * cin * k * k;
    sp = params;
    sm = macs;
    rf = k;
  } else if (layer === 'subpixel') {
    // A convolution to C_out·r² maps at the input's size, then nn.PixelShuffle(r).
    const r = c.r ?? 2;
    const hc = convLen(h, k, 1, p, 1);
    const wc = convLen(w, k, 1, p, 1);
    ho = hc * r;
    wo = wc * r;
    params = cout * r * r * cin * k * k + b * cout * r * r;
    macs = hc * wc * cout * r * r * cin * k * k;
    // The standard alternative: the same kernel at the output's size.
    sp = cout * cin * k * k + b * cout;
    sm = ho * wo * cout * cin * k * k;
  } else if (layer === 'separable') {
    const m = c.m ?? 1;
    ho = convLen(h, k, s, p, 1);
    wo = convLen(w, k, s, p, 1);
    params = cin * m * k * k + b * cin * m + cout * cin * m + b * cout;
    macs = ho * wo * cin * m * k * k + ho * wo * cout * cin * m;
    sp = cout * cin * k * k + b * cout;
    sm = ho * wo * cout * cin * k * k;
  } else {
    ho = convLen(h, k, s, p, d);
    wo = convLen(w, k, s, p, d);
    params = cout * (cin / g) * k * k + b * cout;
    macs = ho * wo * cout * (cin / g) * k * k;
    if (layer === 'depthwise' || layer === 'grouped') {
      sp = cout * cin * k * k + b * cout;
      sm = ho * wo * cout * cin * k * k;
    } else if (layer === 'dilated') {
      sp = cout * cin * rf * rf + b * cout;
      sm = ho * wo * cout * cin * rf * rf;
    } else {
      sp = params;
      sm = macs;
    }
  }
  return { shape: `${cout}×${ho}×${wo}`, params, macs, flops: 2 * macs, sp, sm, rf: `${rf}×${rf}` };
}

function query(c) {
  const q = new URLSearchParams({ layer: c.layer, height: c.h, width: c.w, in_channels: c.cin, out_channels: c.cout });
  const add = (key, v) => v !== undefined && q.set(key, v);
  add('kernel_size', c.k);
  add('stride', c.s);
  add('padding', c.p);
  add('dilation', c.d);
  add('groups', c.g);
  add('output_padding', c.op);
  add('scale_factor', c.f);
  add('upscale_factor', c.r);
  add('depth_multiplier', c.m);
  add('bias', c.bias);
  return q.toString();
}

const CONFIGS = [
  { layer: 'standard', h: 6, w: 6, cin: 3, cout: 16 },
  { layer: 'standard', h: 9, w: 7, cin: 2, cout: 5, k: 5, s: 2, p: 2, bias: 0 },
  { layer: 'standard', h: 12, w: 12, cin: 4, cout: 4, k: 3, s: 3, p: 1 },
  { layer: 'depthwise', h: 6, w: 6, cin: 3, cout: 3 },
  { layer: 'depthwise', h: 10, w: 8, cin: 4, cout: 8, k: 5, s: 2, p: 2 },
  { layer: 'pointwise', h: 5, w: 5, cin: 8, cout: 3 },
  { layer: 'pointwise', h: 7, w: 4, cin: 3, cout: 12, bias: 0 },
  { layer: 'separable', h: 8, w: 8, cin: 3, cout: 16, k: 3 },
  { layer: 'separable', h: 9, w: 9, cin: 4, cout: 6, k: 5, s: 2, p: 2, m: 2 },
  { layer: 'transposed', h: 4, w: 4, cin: 1, cout: 1, k: 3, s: 2, p: 1, op: 1 },
  { layer: 'transposed', h: 5, w: 3, cin: 2, cout: 3, k: 4, s: 2, p: 1, op: 0 },
  { layer: 'transposed', h: 3, w: 3, cin: 2, cout: 2, k: 3, s: 1, p: 0, d: 2, op: 1 },
  { layer: 'upsample', h: 4, w: 4, cin: 1, cout: 1, k: 3, p: 1, f: 2 },
  { layer: 'upsample', h: 5, w: 3, cin: 3, cout: 2, k: 5, p: 0, f: 3, bias: 0 },
  { layer: 'dilated', h: 7, w: 7, cin: 1, cout: 1, k: 3, d: 2 },
  { layer: 'dilated', h: 16, w: 12, cin: 2, cout: 3, k: 3, d: 4, p: 2, s: 2 },
  { layer: 'grouped', h: 6, w: 6, cin: 4, cout: 8, g: 2 },
  { layer: 'grouped', h: 8, w: 8, cin: 12, cout: 6, g: 3, k: 5, p: 2 },
  { layer: 'grouped', h: 5, w: 5, cin: 6, cout: 6, g: 6, k: 3, p: 1 },
  { layer: 'subpixel', h: 4, w: 4, cin: 1, cout: 1, k: 3, p: 1, r: 2 },
  { layer: 'subpixel', h: 5, w: 3, cin: 2, cout: 3, k: 3, p: 0, r: 3, bias: 0 },
  { layer: 'subpixel', h: 6, w: 6, cin: 3, cout: 2, k: 5, p: 2, r: 4 },
];

test('every layer type: figures equal the formulas', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url);
  for (const c of CONFIGS) {
    await page.goto(`${env.server.url}?${query(c)}&view=channels`);
    await page.waitForSelector('[data-stat="output-shape"]');
    const e = expected(c);
    const label = JSON.stringify(c);
    assert.equal(await stat(page, 'output-shape'), e.shape, label);
    assert.equal(await statNumber(page, 'params'), e.params, label);
    assert.equal(await statNumber(page, 'macs'), e.macs, label);
    assert.equal(await statNumber(page, 'flops'), e.flops, label);
    assert.equal(await statNumber(page, 'standard-params'), e.sp, label);
    assert.equal(await statNumber(page, 'standard-macs'), e.sm, label);
    assert.equal(await stat(page, 'receptive-field'), e.rf, label);
    assert.equal(await page.locator('[role="alert"]').count(), 0, `${label}: no correction expected`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a slider moved by keyboard changes the figures, the URL and the canvas', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=standard');
  const before = await stat(page, 'output-shape');
  const input = 'canvas[data-stage-canvas="0"]';
  const digest = await canvasDigest(page, input);
  // The canvas counts its redraws (data-drawn): the one after the change is waited for.
  const drawn = Number(await page.locator(input).getAttribute('data-drawn'));
  const slider = page.getByRole('slider', { name: 'Height' });
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('height') === '8');
  assert.equal(await stat(page, 'output-shape'), '16×6×4');
  assert.notEqual(await stat(page, 'output-shape'), before);
  await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).dataset.drawn) > n, [input, drawn]);
  assert.notEqual(await canvasDigest(page, input), digest);
  // Groups moves through valid values only.
  await page.goto(`${env.server.url}?layer=grouped&in_channels=4&out_channels=8&groups=2`);
  const groups = page.getByRole('slider', { name: 'Groups' });
  await groups.focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('groups') === '4');
  assert.equal(await statNumber(page, 'params'), 8 * 1 * 9 + 8);
  assert.deepEqual(problems, []);
  await context.close();
});

test('lang=zh shows Chinese; the switch changes language', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'lang=zh&layer=separable');
  assert.match(await page.locator('h1').textContent(), /卷积/);
  assert.ok(await page.getByRole('slider', { name: '输入通道数' }).count());
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('lang') === 'en');
  assert.match(await page.locator('h1').textContent(), /Conv Playground/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('hostile URLs are corrected with a notice and a working page', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url);
  const hostile = [
    'height=-4&width=1e9&kernel_size=NaN',
    'layer=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E',
    'layer=grouped&in_channels=4&out_channels=6&groups=3',
    'layer=transposed&output_padding=7&stride=2',
    'layer=dilated&kernel_size=11&dilation=6&height=3&width=3',
    'padding=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E&evil=1',
    'in_channels=99999999999999999999999&out_channels=64&height=64&width=64&kernel_size=11',
  ];
  for (const q of hostile) {
    await page.goto(`${env.server.url}?${q}`);
    await page.waitForSelector('[data-stat="output-shape"]');
    assert.ok(await page.locator('[role="alert"]').count(), `${q}: notice shown`);
    assert.match(await stat(page, 'output-shape'), /^\d+×\d+×\d+$/, q);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, q);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('every layer at 375 px has no sideways scroll in either view; screenshots at 375 and 1280', async () => {
  const layers = ['standard', 'depthwise', 'pointwise', 'separable', 'transposed', 'upsample', 'dilated', 'grouped', 'subpixel'];
  for (const width of [375, 1280]) {
    const { page, context, problems } = await openPage(env.browser, env.server.url, '', { width, height: 800 });
    for (const [layer, view] of layers.flatMap((l) => [[l, 'volume'], [l, 'channels']])) {
      await page.goto(`${env.server.url}?layer=${layer}&view=${view}`);
      // Every canvas of the figure has been drawn (data-drawn counts its redraws).
      await page.waitForFunction(() => {
        const canvases = [...document.querySelectorAll('.figure canvas')];
        return canvases.length > 0 && canvases.every((c) => Number(c.dataset.drawn) > 0);
      });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${layer} (${view}) at ${width}px scrolls sideways by ${overflow}px`);
      const canvas = view === 'volume' ? 'canvas[data-volume]' : 'canvas[data-stage-canvas="0"]';
      assert.ok(await canvasPainted(page, canvas), `${layer} (${view}): painted`);
      await page.screenshot({ path: `${SHOTS}/${layer}-${view}-${width}.png`, fullPage: true });
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});
