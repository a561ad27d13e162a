// Nothing a message, a file or a frantic reader does breaks the page: 1,000 generated hostile
// messages, hostile files, a storm of slider events, and the panic boundary (hostile URLs are in
// hostile-urls.test.mjs). Script payloads try to set window.__pwned; it must stay unset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useBrowser, openPage, stat, canvasPainted, canvasDigest, serve, DIST } from './helpers.mjs';
import { KEYS, JUNK_KEYS, PAYLOADS } from './hostile.mjs';
import { encodePng } from './png.mjs';

const env = useBrowser();

test('1,000 hostile messages to an embedded playground: no error, no script, still working', async () => {
  const context = await env.browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  await page.goto(`${env.server.url}embed-demo.html`);
  await page.waitForFunction(() => document.querySelectorAll('iframe[data-ready="true"]').length === 3);
  const sent = await page.evaluate(({ keys, junkKeys, payloads }) => {
    let a = 42;
    const r = () => { a = (a * 1103515245 + 12345) % 2147483648; return a / 2147483648; };
    const pick = (xs) => xs[Math.floor(r() * xs.length)];
    const value = () => {
      const kind = Math.floor(r() * 9);
      return [pick(payloads), Math.floor((r() - 0.5) * 1e6), r() * 10, r() < 0.5, null, undefined, [1, 2], { nested: pick(payloads) }, Number.NaN][kind];
    };
    const w = document.getElementById('pg-driven').contentWindow;
    let n = 0;
    for (let i = 0; i < 1000; i++) {
      const state = {};
      for (let j = 0; j < 1 + Math.floor(r() * 6); j++) state[r() < 0.8 ? pick(keys) : pick(junkKeys)] = value();
      const shapes = [
        { type: 'conv-playground:set', state },
        { type: 'conv-playground:set', state: value() },
        { type: pick(payloads), state },
        value(),
        [state],
        JSON.stringify({ type: 'conv-playground:set', state }),
      ];
      w.postMessage(shapes[Math.floor(r() * shapes.length)], location.origin);
      n++;
    }
    // Then one valid set that no generated message makes (no payload is "light"): the frame
    // handles messages in order, so the state that answers this one comes after every message
    // above has been handled and rendered.
    w.postMessage({ type: 'conv-playground:set', state: { theme: 'light' } }, location.origin);
    return n;
  }, { keys: KEYS, junkKeys: JUNK_KEYS, payloads: PAYLOADS });
  assert.equal(sent, 1000);
  assert.ok(!PAYLOADS.includes('light'));
  await page.waitForFunction(() => document.getElementById('driven-state').textContent.includes('"theme": "light"'));
  const frame = page.frameLocator('#pg-driven');
  assert.match((await frame.locator('[data-stat="output-shape"]').textContent()).trim(), /^\d+×\d+×\d+$/);
  assert.deepEqual(await page.evaluate(() => [window.__pwned, document.getElementById('pg-driven').contentWindow.__pwned]), [undefined, undefined]);
  // Still answers: a valid message is applied.
  await page.getByRole('button', { name: 'k = 3, s = 1' }).click();
  await page.waitForFunction(() => document.getElementById('driven-state').textContent.includes('"stride": 1'));
  assert.deepEqual(problems, []);
  await context.close();
});

/** A 2-frame animated GIF of 1×1 pixels. */
function animatedGif() {
  const frame = [0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00];
  return Buffer.from([
    ...Buffer.from('GIF89a'), 1, 0, 1, 0, 0x80, 0, 0, 255, 0, 0, 0, 0, 255,
    0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0'), 0x03, 0x01, 0x00, 0x00, 0x00,
    ...frame, ...frame, 0x3b,
  ]);
}

test('hostile files: huge, SVG, animated, broken; the page stays responsive', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'input=image');
  const upload = (name, mimeType, buffer) => page.locator('#image-file').setInputFiles({ name, mimeType, buffer });
  // 8000×8000: decoded and downscaled to at most 512 px, then to the slider size.
  const huge = encodePng(8000, 8000, (x, y) => ((x >> 6) + (y >> 6)) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]);
  await upload('huge.png', 'image/png', huge);
  await page.waitForFunction(() => new URL(location.href).searchParams.get('height') === '64' && new URL(location.href).searchParams.get('width') === '64', null, { timeout: 30000 });
  assert.ok(await canvasPainted(page, 'canvas[data-stage-canvas="0"]'));
  // An SVG: refused (or decoded) without an error.
  const checkerboard = await canvasDigest(page, 'canvas[data-stage-canvas="0"]');
  await upload('drawing.svg', 'image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>window.__pwned=1</script><rect width="10" height="10"/></svg>'));
  // Refused with a notice naming the file; the picture shown stays the checkerboard.
  await page.waitForFunction(() => document.querySelector('[role="alert"]')?.textContent.includes('drawing.svg'));
  assert.equal(await canvasDigest(page, 'canvas[data-stage-canvas="0"]'), checkerboard);
  // An animated GIF: decoded (its first frame), so the picture changes and no notice names it.
  await upload('anim.gif', 'image/gif', animatedGif());
  await page.waitForFunction(async (before) => {
    const c = document.querySelector('canvas[data-stage-canvas="0"]');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let h = 2166136261;
    for (let i = 0; i < data.length; i += 3) h = Math.imul(h ^ data[i], 16777619) >>> 0;
    return `${c.width}x${c.height}:${h}` !== before;
  }, checkerboard, { timeout: 15000 });
  assert.ok(!(await page.locator('[role="alert"]').allTextContents()).join(' ').includes('anim.gif'));
  // Random bytes with an image name: refused with a message.
  await upload('noise.png', 'image/png', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  await page.waitForFunction(() => document.querySelector('[role="alert"]')?.textContent.includes('noise.png'));
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.match(await stat(page, 'output-shape'), /^\d+×\d+×\d+$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a storm of 10,000 slider events ends in the state of the last one', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'layer=standard');
  const started = Date.now();
  await page.evaluate(async () => {
    const slider = document.getElementById('slider-height');
    for (let i = 0; i < 10000; i++) {
      slider.value = String(1 + ((i * 37) % 64));
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      // The page gets the thread back every 100 events (100 renders in the storm), as a
      // dragging hand gives it between bursts of input.
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 0));
    }
    slider.value = '23';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const seconds = (Date.now() - started) / 1000;
  await page.waitForFunction(() => new URL(location.href).searchParams.get('height') === '23');
  assert.equal(await stat(page, 'output-shape'), '16×21×4');
  // Still responsive: a click changes the layer.
  await page.locator('#layer-select').selectOption('grouped');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('layer') === 'grouped');
  // Speed is a benchmark figure, not a pass/fail here: report how long the storm took.
  console.log(`storm: 10,001 input events dispatched and settled in ${seconds.toFixed(1)} s`);
  assert.deepEqual(problems, []);
  await context.close();
});

/** The tests' build (feature `test-hooks`, made by scripts/test.sh), served under its sub-path. */
async function serveTestBuild() {
  const sub = process.env.SUBPATH_DIST;
  if (!sub) assert.fail('SUBPATH_DIST is not set: run the end-to-end tests through scripts/test.sh');
  return serve(sub, { prefix: '/some/path/' });
}

/**
 * Open `query` with the page's clock under the test's control, let the page's timers run for
 * `ms` of its time (every timer due by then fires), and return whether the error panel is shown.
 */
async function panelAfter(baseUrl, query, ms) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.clock.install();
  await page.goto(`${baseUrl}?${query}`);
  await page.waitForSelector('[data-ready="true"] [data-stat="output-shape"]', { timeout: 15000 });
  // A panic inside a timer is thrown out of runFor too; the panel is what is looked at.
  await page.clock.runFor(ms).catch((e) => problems.push(`runFor: ${e.message}`));
  const panel = await page.locator('#fatal-error').count();
  return { page, context, problems, panel };
}

test('a panic shows the error panel, and reset gives a working page (tests\' build)', async () => {
  // The trigger, test_panic=1, is compiled into the tests' build only (feature test-hooks).
  const s = await serveTestBuild();
  try {
    const { page, context, panel } = await panelAfter(s.url, 'layer=dilated&test_panic=1', 2000);
    assert.equal(panel, 1, 'the trigger fired within 2 s of the page\'s time');
    const fatal = page.locator('#fatal-error[role="alert"]');
    assert.match(await fatal.textContent(), /Something went wrong/);
    await fatal.getByRole('link', { name: 'Reset the playground' }).click();
    await page.waitForSelector('[data-stat="output-shape"]');
    assert.equal(new URL(page.url()).pathname, '/some/path/');
    assert.equal(await page.locator('#fatal-error').count(), 0);
    assert.equal(await stat(page, 'output-shape'), '16×4×4');
    await context.close();
  } finally {
    await s.close();
  }
});

test('the shipped page has no panic trigger: test_panic=1 is an unknown parameter', async () => {
  // The same steps as above on the release build: the page's timers run for the same 2 s of its
  // time, and no panel appears; the parameter is refused with a notice like any unknown one.
  const { page, context, problems, panel } = await panelAfter(env.server.url, 'layer=dilated&test_panic=1', 2000);
  assert.equal(panel, 0, 'no error panel');
  assert.deepEqual(problems, []);
  assert.equal(await page.locator('.about').getAttribute('data-layer'), 'dilated');
  const notice = (await page.locator('[role="alert"]').allTextContents()).join(' ');
  assert.match(notice, /test_panic/);
  // Worded like the notice of any other unknown parameter.
  const other = await openPage(env.browser, env.server.url, 'layer=dilated&test_other=1');
  const otherNotice = (await other.page.locator('[role="alert"]').allTextContents()).join(' ');
  assert.equal(notice.replaceAll('test_panic', 'test_other'), otherNotice);
  await other.context.close();
  // And the trigger's name is in none of the shipped modules (the page's and the GIF export
  // worker's).
  const wasm = fs.readdirSync(DIST).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 2, wasm.join(', '));
  for (const w of wasm) assert.ok(!fs.readFileSync(path.join(DIST, w)).includes('test_panic'), `${w} carries test_panic`);
  await context.close();
});
