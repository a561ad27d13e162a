// The scene worker: a large layer's convolutions are computed in a worker while the page answers
// every input at once (the figures that are formulas in the same frame, the maps when the worker
// answers, a quiet mark meanwhile). The maps are the same as those computed on the page itself
// (with workers disabled, which must work too), the newest state is the one drawn last, and it
// works under the strict policy, in embed mode and under a sub-path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, stat, statNumber, canvasDigest, serve } from './helpers.mjs';

const env = useBrowser();

// 1 GMAC (the largest layer the sliders allow): far over what the page computes on its own thread (16 M multiply-accumulates).
const LARGE = 'layer=standard&height=64&width=64&in_channels=32&out_channels=64&kernel_size=11&padding=5&view=channels&lang=en';
const OUTPUT = 'figure[data-stage="output"] canvas';

/** Opens `query` on `base`, with workers or without (`window.Worker` removed before the app
 * starts), and waits until every map is computed. */
async function open(base, query, { workers = true } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  if (!workers) await context.addInitScript(() => { delete window.Worker; });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`http ${r.status()}: ${r.url()}`); });
  await page.goto(`${base}?${query}`);
  await page.waitForSelector('[data-ready="true"] [data-stat="output-shape"]', { timeout: 15000 });
  await computed(page);
  return { page, context, problems };
}

/** Waits until the figure computes nothing more and the output is drawn. */
async function computed(page) {
  await page.waitForFunction(
    (sel) => !document.querySelector('.figure[data-computing]') && document.querySelector(sel)?.dataset.drawn,
    OUTPUT,
    { timeout: 60000 },
  );
}

/** Moves a slider as a reader does, one value a frame. */
async function slide(page, id, values) {
  await page.evaluate(async ({ id, values }) => {
    const s = document.getElementById(id);
    for (const v of values) {
      await new Promise((r) => requestAnimationFrame(r));
      s.value = String(v);
      s.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }, { id, values });
}

test('a large layer: computed in the worker, the same maps as on the page, and without workers', async () => {
  const worker = await open(env.server.url, LARGE);
  const page = await open(env.server.url, LARGE, { workers: false });
  for (const name of ['output-shape', 'params', 'macs', 'flops']) {
    assert.equal(await stat(worker.page, name), await stat(page.page, name), name);
  }
  assert.equal(await stat(worker.page, 'output-shape'), '64×64×64');
  assert.equal(await canvasDigest(worker.page, OUTPUT), await canvasDigest(page.page, OUTPUT));
  assert.equal(await canvasDigest(worker.page, 'figure[data-stage="input"] canvas'),
    await canvasDigest(page.page, 'figure[data-stage="input"] canvas'));
  // Without workers nothing waits: the page computes the layer itself, and never marks it.
  assert.equal(await page.page.locator('.figure[data-computing], .figure > .computing').count(), 0);
  assert.deepEqual(worker.problems, []);
  assert.deepEqual(page.problems, []);
  await worker.context.close();
  await page.context.close();
});

test('in the volume view a large layer asks the worker for the faces of its volumes first, then for all of it', async () => {
  const query = LARGE.replace('view=channels', 'view=volume');
  const volume = 'figure[data-view="volume"] canvas[data-volume]';
  const opened = async (workers) => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await context.addInitScript((workers) => {
      if (!workers) { delete window.Worker; return; }
      window.__jobs = [];
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (message, ...rest) {
        if (typeof message?.query === 'string') window.__jobs.push(message.query);
        return post.call(this, message, ...rest);
      };
    }, workers);
    const page = await context.newPage();
    await page.goto(`${env.server.url}?${query}`);
    await page.waitForFunction(
      (sel) => !document.querySelector('.figure[data-computing]') && document.querySelector(sel)?.dataset.drawn,
      volume,
      { timeout: 60000 },
    );
    return { page, context };
  };
  const worker = await opened(true);
  const asked = await worker.page.evaluate(() => window.__jobs.map((q) => {
    const p = new URLSearchParams(q);
    return p.get('faces') === '1' ? 'faces' : p.get('first') ? 'first' : 'whole';
  }));
  assert.deepEqual(asked, ['faces', 'whole']);
  // Once all of it is computed, the same picture as the page's own.
  const page = await opened(false);
  assert.equal(await canvasDigest(worker.page, volume), await canvasDigest(page.page, volume));
  await worker.context.close();
  await page.context.close();
});

test('an input is answered at once, the maps follow, and the newest state is drawn last', async () => {
  const { page, context, problems } = await open(env.server.url, LARGE);
  // 40 output channels: 40 × 32 × 11 × 11 weights and 40 biases, in the frame after the input.
  await slide(page, 'slider-out_channels', [40]);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
  assert.equal(await statNumber(page, 'params'), 40 * 32 * 121 + 40);
  assert.equal(await stat(page, 'output-shape'), '40×64×64');
  // While the maps are computed the figure says so (after 150 ms, quietly) and is busy.
  const busy = await page.evaluate(() => {
    const f = document.querySelector('.figure');
    return f.dataset.computing ? [f.getAttribute('aria-busy'), f.querySelector('.computing')?.getAttribute('role')] : null;
  });
  if (busy) assert.deepEqual(busy, ['true', 'status']);
  await computed(page);
  assert.equal(await page.locator('.figure > .computing').count(), 0);
  // Three states in three frames, while the first is computed: only the last is drawn at the end.
  await slide(page, 'slider-out_channels', [50, 64, 33]);
  await computed(page);
  assert.equal(await stat(page, 'output-shape'), '33×64×64');
  const direct = await open(env.server.url, LARGE.replace('out_channels=64', 'out_channels=33'), { workers: false });
  assert.equal(await canvasDigest(page, OUTPUT), await canvasDigest(direct.page, OUTPUT));
  assert.deepEqual(problems, []);
  assert.deepEqual(direct.problems, []);
  await direct.context.close();
  await context.close();
});

test('an input is answered in its own task by the figures alone: the scene follows in later tasks', async () => {
  const { page, context, problems } = await open(env.server.url, LARGE);
  const caption = 'figure[data-stage="output"] .shape';
  const before = await page.locator(caption).textContent();
  // The input as a reader's drag delivers it (at a frame), and what the page shows once the
  // task that handles it and its microtasks are over.
  const now = await page.evaluate((sel) => new Promise((resolve) => requestAnimationFrame(async () => {
    const canvas = () => document.querySelector(sel).dataset.drawn;
    const drawn = canvas();
    const s = document.getElementById('slider-out_channels');
    s.value = '48';
    s.dispatchEvent(new Event('input', { bubbles: true }));
    for (let k = 0; k < 50; k++) await Promise.resolve();
    resolve({
      shape: document.querySelector('[data-stat="output-shape"]').textContent,
      params: document.querySelector('[data-stat="params"]').textContent,
      redrawn: canvas() !== drawn,
      computing: document.querySelector('.figure').dataset.computing,
    });
  })), OUTPUT);
  assert.deepEqual(now, { shape: '48×64×64', params: (48 * 32 * 121 + 48).toLocaleString('en-US'), redrawn: false, computing: 'maps' });
  await computed(page);
  assert.notEqual(before, await page.locator(caption).textContent());
  assert.match(await page.locator(caption).textContent(), /48/);
  const direct = await open(env.server.url, LARGE.replace('out_channels=64', 'out_channels=48'), { workers: false });
  assert.equal(await canvasDigest(page, OUTPUT), await canvasDigest(direct.page, OUTPUT));
  assert.deepEqual(problems, []);
  await direct.context.close();
  await context.close();
});

test('a large layer reached again from a small one starts from its own outline, not an old picture', async () => {
  const { page, context, problems } = await open(env.server.url, LARGE);
  const caption = 'figure[data-stage="output"] .shape';
  // One output channel: 32 × 121 × 64² = 15.9 M multiply-accumulates, computed on the page.
  await slide(page, 'slider-out_channels', [1]);
  await computed(page);
  assert.match(await page.locator(caption).textContent(), /^1×64×64/);
  // 40 channels: large again. In the input's own task the figure shows this layer's outline
  // (the large layer shown before, 64 channels, is not on screen any more).
  const shape = await page.evaluate((sel) => new Promise((resolve) => requestAnimationFrame(async () => {
    const s = document.getElementById('slider-out_channels');
    s.value = '40';
    s.dispatchEvent(new Event('input', { bubbles: true }));
    for (let k = 0; k < 50; k++) await Promise.resolve();
    resolve(document.querySelector(sel).textContent);
  })), caption);
  assert.match(shape, /^40×64×64/);
  await computed(page);
  assert.match(await page.locator(caption).textContent(), /^40×64×64/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the worker starts in embed mode and under a sub-path, under the strict policy', async () => {
  const embed = await open(env.server.url, `${LARGE}&embed=1`);
  assert.ok(await embed.page.locator(`${OUTPUT}[data-drawn]`).count());
  assert.deepEqual(embed.problems, []);
  await embed.context.close();
  const sub = process.env.SUBPATH_DIST;
  if (!sub) assert.fail('SUBPATH_DIST is not set: run the end-to-end tests through scripts/test.sh');
  const s = await serve(sub, { prefix: '/some/path/' });
  try {
    const { page, context, problems } = await open(s.url, LARGE);
    assert.equal(await stat(page, 'output-shape'), '64×64×64');
    assert.ok(s.requests.some((r) => /gif-worker.*\.wasm/.test(r.path)), 'the worker was started');
    assert.ok(s.requests.every((r) => r.path.startsWith('/some/path/')), JSON.stringify(s.requests.map((r) => r.path)));
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await s.close();
  }
});
