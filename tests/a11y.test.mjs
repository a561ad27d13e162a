// Accessibility: axe-core (Deque's WCAG 2.1 A and AA rules, from npm) on every layer type, at a
// laptop's 1280×800 in light English and a phone's 375×667 in dark Chinese (the volume view),
// and the channel view in dark English: no serious or
// critical violation. axe is injected through the browser's debugging protocol (the page's own
// Content-Security-Policy would refuse an injected script).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { useBrowser, usePages } from './helpers.mjs';

const env = useBrowser();
const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const LAYERS = ['standard', 'depthwise', 'pointwise', 'separable', 'transposed', 'upsample', 'dilated', 'grouped', 'subpixel'];

const load = usePages(env);

async function violations(query, viewport) {
  const { page } = await load(`${env.server.url}?${query}`, viewport);
  await page.waitForSelector('[data-ready="true"] .figure canvas[data-drawn]', { timeout: 15000 });
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return { violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })), passes: r.passes.length };
  });
  return result;
}

test('axe: no serious or critical WCAG 2.1 A/AA violation on any layer, desktop light/en and phone dark/zh', async () => {
  const found = [];
  for (const layer of LAYERS) {
    for (const [viewport, q] of [
      [{ width: 1280, height: 800 }, 'theme=light&lang=en'],
      [{ width: 375, height: 667 }, 'theme=dark&lang=zh'],
      [{ width: 1280, height: 800 }, 'theme=dark&lang=en&view=channels'],
    ]) {
      const r = await violations(`layer=${layer}&${q}`, viewport);
      assert.ok(r.passes > 10, 'axe ran its rules');
      for (const v of r.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
        found.push(`${layer} ${viewport.width}px: ${v.id} (${v.impact}) ${v.nodes.join(', ')}`);
      }
    }
  }
  assert.deepEqual(found, []);
});
