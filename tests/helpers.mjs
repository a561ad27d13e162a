// Shared setup of the end-to-end tests: one headless Debian Chromium, the release build served
// on 127.0.0.1, a page that records console errors, page errors and requests leaving the origin.
import path from 'node:path';
import fs from 'node:fs';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

export const DIST = path.resolve(process.env.DIST_DIR || 'dist');
export const SHOTS = path.resolve('tests/screenshots');
fs.mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * One browser and one server for a test file, started before its tests and stopped after:
 * `const env = useBrowser();` then `env.browser`, `env.server`.
 */
export function useBrowser() {
  const env = {};
  before(async () => {
    env.server = await serve(DIST);
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Pages kept for a test file and taken from one URL to the next, instead of a new browser context
 * per URL (a new context starts a renderer and fetches and compiles the wasm again, about a second
 * each): one context per viewport and device pixel ratio. Every `load` is a navigation, so the page
 * is a new document that reads its URL as a reader's first visit does, only from a warm cache.
 * A page is replaced after `reuse` loads: a renderer that has instantiated the app some hundreds of
 * times can fail to reserve memory for one more wasm instance. Usage:
 * `const load = usePages(env);` then `const { page, problems } = await load(url, viewport, dpr);`.
 * Console errors, page errors and dialogs of the current document are collected in `problems`.
 */
export function usePages(env, { reuse = 40 } = {}) {
  const slots = new Map();
  after(async () => {
    for (const slot of slots.values()) await slot.context.close().catch(() => {});
  });
  return async function load(url, viewport = { width: 1280, height: 900 }, deviceScaleFactor = 1) {
    const key = `${viewport.width}×${viewport.height}@${deviceScaleFactor}`;
    let slot = slots.get(key);
    if (!slot) {
      slot = { context: await env.browser.newContext({ viewport, deviceScaleFactor }), page: null, loads: 0, problems: [] };
      slots.set(key, slot);
    }
    if (!slot.page || slot.loads >= reuse) {
      await slot.page?.close();
      const page = await slot.context.newPage();
      page.on('pageerror', (e) => slot.problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && slot.problems.push(`console: ${m.text()}`));
      page.on('dialog', (d) => { slot.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
      slot.page = page;
      slot.loads = 0;
    }
    slot.loads += 1;
    slot.problems = [];
    await slot.page.goto(url);
    return { page: slot.page, problems: slot.problems };
  };
}

/**
 * Open a fresh page at `query`; every console error, page error and foreign request is collected in
 * `problems`. Most suites read the channel view's per-map canvases (`canvas[data-stage-canvas]`),
 * so a query that names no `view` opens `view=channels`; the volume view's suites ask for
 * `view=volume` (the page's default) explicitly.
 * With `clock: true` the page's clock is Playwright's (it runs at its natural pace, and
 * `page.clock.runFor(ms)` fires every timer due in the next `ms` of the page's time at once).
 */
export async function openPage(browser, baseUrl, query = '', viewport = { width: 1280, height: 900 }, { clock = false } = {}) {
  if (!/(^|&)view=/.test(query)) query = query ? `${query}&view=channels` : 'view=channels';
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  if (clock) await page.clock.install();
  const problems = [];
  const origin = new URL(baseUrl).origin;
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`foreign request: ${u}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`http ${r.status()}: ${r.url()}`);
  });
  await page.goto(baseUrl + (query ? `?${query}` : ''));
  await page.waitForSelector('[data-ready="true"] [data-stat="output-shape"]', { timeout: 15000 });
  return { page, context, problems };
}

/** The number in a data-stat element (digit group separators removed). */
/**
 * The page's address once any write it holds back has been made: the page writes the address
 * bar at most every 100 ms (`dom::URL_EVERY_MS`), the last state of a burst when its turn comes.
 */
export async function settledUrl(page) {
  // Settled: the same address twice, 300 ms apart (a held write is made within 100 ms, later on
  // a loaded machine).
  let before = page.url();
  for (;;) {
    await page.waitForTimeout(300);
    const now = page.url();
    if (now === before) return new URL(now);
    before = now;
  }
}

export async function stat(page, name) {
  const text = await page.locator(`[data-stat="${name}"]`).first().textContent();
  return text.trim();
}

export async function statNumber(page, name) {
  return Number((await stat(page, name)).replace(/[,\s\u202f]/g, ''));
}

/** Whether a canvas has more than one colour (it is painted, not blank). */
export async function canvasPainted(page, selector) {
  return page.locator(selector).first().evaluate((c) => {
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const first = data.slice(0, 4).join(',');
    let distinct = 0;
    for (let i = 0; i < data.length; i += 4 * 7) {
      if (data[i + 3] > 0 && `${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}` !== first) distinct++;
    }
    return c.width > 10 && c.height > 10 && distinct > 20;
  });
}

/** A digest of a canvas's pixels, to see that it changed. */
export async function canvasDigest(page, selector) {
  return page.locator(selector).first().evaluate((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let h = 2166136261;
    for (let i = 0; i < data.length; i += 3) h = Math.imul(h ^ data[i], 16777619) >>> 0;
    return `${c.width}x${c.height}:${h}`;
  });
}

export { serve };

/** The number of frames of a GIF file (its image descriptors), checking the block structure. */
export function gifFrames(buf) {
  assert.equal(buf.subarray(0, 6).toString('latin1'), 'GIF89a');
  let i = 13;
  const flags = buf[10];
  if (flags & 0x80) i += 3 * (1 << ((flags & 7) + 1));
  let frames = 0;
  while (i < buf.length) {
    const b = buf[i];
    if (b === 0x3b) break;
    if (b === 0x21) {
      i += 2;
      while (buf[i] !== 0) i += buf[i] + 1;
      i += 1;
    } else if (b === 0x2c) {
      frames += 1;
      const lflags = buf[i + 9];
      i += 10;
      if (lflags & 0x80) i += 3 * (1 << ((lflags & 7) + 1));
      i += 1;
      while (buf[i] !== 0) i += buf[i] + 1;
      i += 1;
    } else {
      throw new Error(`bad GIF block ${b} at ${i}`);
    }
  }
  return frames;
}

/** Evaluate "a×b + c×d + bias e = v": returns [sum of the terms, v]. */
export function evalTrace(text) {
  const [lhs, rhs] = text.split(' = ');
  let sum = 0;
  for (const term of lhs.split(' + ')) {
    if (term.startsWith('bias ')) sum += Number(term.slice(5));
    else {
      const [a, b] = term.split('×').map(Number);
      sum += a * b;
    }
  }
  return [sum, Number(rhs)];
}
