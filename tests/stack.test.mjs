// The stack view by hand (lab=stack): a click on a map's cell or a table row selects the cell
// whose footprint is drawn, the arrow keys and Page Up / Page Down move it, the buttons move,
// copy and remove the selected layer, a pasted nn.Sequential builds a stack whose code reads
// back, a paste that cannot be read says where and keeps the stack, and a layer loaded into the
// single layer's controls takes their values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { useBrowser, openPage, stat, settledUrl, SHOTS } from './helpers.mjs';

const env = useBrowser();
const IMG = 'img.lab-figure[data-current="true"]';

/** Waits for the stack's image drawn for the state shown now. */
async function drawn(page) {
  await page.waitForSelector(IMG, { timeout: 30000 });
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return el && el.complete && el.naturalWidth > 0;
  }, IMG);
}

/** The figures the shown drawing carries (its saved SVG's opening comment): [key, value] pairs. */
async function figures(page) {
  await drawn(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a.lab-download').click()]);
  assert.equal(download.suggestedFilename(), 'conv-lab-stack.svg');
  const svg = fs.readFileSync(await download.path(), 'utf8');
  const head = svg.slice('<!--figures\n'.length, svg.indexOf('-->'));
  return head.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

/** Clicks cell (y, x) of layer `layer`'s map as the drawing places it. */
async function clickCell(page, f, layer, y, x) {
  const hit = f.filter(([k]) => k === 'hit').map(([, v]) => v.split(',').map(Number))
    .find((h) => h[0] === layer && h[5] > 1);
  assert.ok(hit, `a panel of layer ${layer}`);
  const [, hx, hy, w, h, rows, cols] = hit;
  const img = page.locator(IMG);
  const k = await img.evaluate((el) => el.clientWidth / el.naturalWidth);
  await img.click({ position: { x: (hx + (x + 0.5) * (w / cols)) * k, y: (hy + (y + 0.5) * (h / rows)) * k } });
}

/** Waits until the stack view's selected cell is `cell` ("layer,y,x"). */
async function selected(page, cell) {
  await page.waitForFunction((c) => document.querySelector('.stack-tools')?.dataset.cell === c, cell, { timeout: 30000 });
  await drawn(page);
}

test('a cell picked by click or keys shows its footprint; buttons move, copy and remove layers', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'lab=stack&stack=context_module&lang=en');
  let f = await figures(page);
  // By default the centre of the last map.
  assert.equal(await page.locator('.stack-tools').getAttribute('data-cell'), '14,32,32');
  // The third 3×3 layer (dilation 2, layer index 4) at an inner cell: 3 + 2 + 4 = 9 a side.
  await clickCell(page, f, 4, 10, 20);
  await selected(page, '4,10,20');
  assert.equal(await stat(page, 'stack-footprint'), '9×9');
  // In the URL, the layer counted from 1 as the table numbers it; a link opens the same cell.
  assert.equal((await settledUrl(page)).searchParams.get('stack_cell'), '5,10,20');
  await page.goto(`${env.server.url}?lab=stack&stack=context_module&stack_cell=9,32,32&lang=en`);
  await selected(page, '8,32,32');
  assert.equal(await stat(page, 'stack-footprint'), '33×33');
  await page.goto(`${env.server.url}?lab=stack&stack=context_module&stack_cell=5,10,20&lang=en`);
  await selected(page, '4,10,20');
  f = await figures(page);
  // The keys: right, then down twice; Page Up to the ReLU before (the same cells as the layer
  // before it: 5×5).
  await page.locator(IMG).focus();
  await page.keyboard.press('ArrowRight');
  await selected(page, '4,10,21');
  await page.locator(IMG).focus();
  await page.keyboard.press('ArrowDown');
  await selected(page, '4,11,21');
  await page.locator(IMG).focus();
  await page.keyboard.press('PageUp');
  await selected(page, '3,11,21');
  assert.equal(await stat(page, 'stack-footprint'), '5×5');
  // A table row picks its layer's centre cell: the first row, a 3×3 layer.
  f = await figures(page);
  const row = f.filter(([k]) => k === 'hit').map(([, v]) => v.split(',').map(Number)).find((h) => h[0] === 0 && h[5] === 1);
  const img = page.locator(IMG);
  const k = await img.evaluate((el) => el.clientWidth / el.naturalWidth);
  await img.click({ position: { x: (row[1] + row[3] / 2) * k, y: (row[2] + row[4] / 2) * k } });
  await selected(page, '0,32,32');
  assert.equal(await stat(page, 'stack-footprint'), '3×3');
  // Remove the dilation-16 layer (index 10): the field shrinks by 2·16 to 35.
  await clickCell(page, f, 10, 32, 32);
  await selected(page, '10,32,32');
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await page.waitForFunction(() => (new URL(location.href).searchParams.get('stack') || '').startsWith('21x64x64_'));
  await drawn(page);
  assert.equal(await stat(page, 'stack-receptive-field'), '35×35');
  assert.ok(!(await settledUrl(page)).searchParams.get('stack').includes('d16'));
  // Copy the selected layer (now the ReLU that followed it), move it up, then remove it: the
  // stack is back to where the removal left it.
  const after = (await settledUrl(page)).searchParams.get('stack');
  await page.getByRole('button', { name: 'Duplicate', exact: true }).click();
  await page.waitForFunction((s) => new URL(location.href).searchParams.get('stack') !== s, after);
  await drawn(page);
  assert.equal((await settledUrl(page)).searchParams.get('stack').split('_').length, after.split('_').length + 1);
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await page.waitForFunction((s) => new URL(location.href).searchParams.get('stack') === s, after);
  await drawn(page);
  // The first layer cannot move up.
  await page.locator(IMG).focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press('PageUp');
  await selected(page, '0,32,32');
  assert.ok(await page.getByRole('button', { name: 'Move up', exact: true }).isDisabled());
  await page.getByRole('button', { name: 'Move down', exact: true }).click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('stack').split('_')[1] === 'relu');
  await drawn(page);
  await page.screenshot({ path: `${SHOTS}/stack-edit.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a pasted nn.Sequential builds the stack and its code reads back; a malformed one says where and keeps it', async () => {
  const { page, context, problems } = await openPage(env.browser, env.server.url, 'lab=stack&stack=context_module&lang=zh');
  await drawn(page);
  await page.locator('.stack-paste summary').click();
  const area = page.locator('.stack-paste textarea');
  // The box holds the stack's own code.
  assert.match(await area.inputValue(), /nn\.Sequential\(/);
  const code = 'from torch import nn\n\nmodel = nn.Sequential(\n    nn.Conv2d(3, 8, 3, padding=1),\n    nn.ReLU(),\n    nn.MaxPool2d(2),\n    nn.Conv2d(8, 16, kernel_size=3, stride=2, padding=1, bias=False),\n)\n';
  await area.fill(code);
  await page.getByRole('button', { name: '生成堆叠' }).click();
  // On the 64×64 input of the stack before: 8×32×32 after the pool, then 16×16×16.
  await page.waitForFunction(() => document.querySelector('[data-stat="stack-output-shape"]')?.textContent === '16×16×16', null, { timeout: 30000 });
  assert.equal(Number((await stat(page, 'stack-params')).replace(/,/g, '')), 8 * 3 * 9 + 8 + 16 * 8 * 9);
  // Its code, written back into the box, builds the same stack.
  await page.waitForFunction(() => document.querySelector('.stack-paste textarea').value.includes('nn.Conv2d(8, 16'));
  const written = await area.inputValue();
  const stack = (await settledUrl(page)).searchParams.get('stack');
  await page.getByRole('button', { name: '生成堆叠' }).click();
  await drawn(page);
  assert.equal((await settledUrl(page)).searchParams.get('stack'), stack);
  assert.equal(await area.inputValue(), written);
  // A module the stack view does not have: the line and the token, in Chinese; the stack stays.
  await area.fill('nn.Sequential(\n    nn.Conv2d(3, 8, 3),\n    nn.GELU(),\n)');
  await page.getByRole('button', { name: '生成堆叠' }).click();
  const alert = page.locator('[data-stat="stack-paste-error"]');
  await alert.waitFor({ timeout: 30000 });
  assert.match(await alert.textContent(), /第 3 行，`nn\.GELU`：不是堆叠视图支持的模块/);
  assert.equal((await settledUrl(page)).searchParams.get('stack'), stack);
  assert.equal(await stat(page, 'stack-output-shape'), '16×16×16');
  // The paste stays in the box, to be mended.
  assert.match(await area.inputValue(), /nn\.GELU/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a stack's layer loaded into the controls takes their values; a layer that does not fit is fitted with a notice", async () => {
  const q = 'lab=stack&stack=1x8x8_standard-o4-k3-s1-p1_relu_standard-o2-k3-s1-p1&lang=en';
  const { page, context, problems } = await openPage(env.browser, env.server.url, q);
  await drawn(page);
  assert.equal(await stat(page, 'stack-params'), String(4 * 9 + 4 + 2 * 4 * 9 + 2));
  // Row 1: load it into the controls; the single layer shows it (1 → 4 channels on 8×8).
  const f = await figures(page);
  const row = f.filter(([k]) => k === 'hit').map(([, v]) => v.split(',').map(Number)).find((h) => h[0] === 0 && h[5] === 1);
  const img = page.locator(IMG);
  const k = await img.evaluate((el) => el.clientWidth / el.naturalWidth);
  await img.click({ position: { x: (row[1] + 40) * k, y: (row[2] + row[4] / 2) * k } });
  await selected(page, '0,4,4');
  await page.getByRole('button', { name: 'Edit with the controls above' }).click();
  await page.waitForFunction(() => document.querySelector('[data-stat="output-shape"]')?.textContent.trim() === '4×8×8');
  // Six output channels: the stack's layer follows, and the layer after it takes 6 channels.
  await page.locator('#slider-out_channels').fill('6');
  await page.waitForFunction(() => (new URL(location.href).searchParams.get('stack') || '').includes('standard-o6-k3'), null, { timeout: 30000 });
  await page.waitForFunction((n) => document.querySelector('[data-stat="stack-params"]')?.textContent === n, String(6 * 9 + 6 + 2 * 6 * 9 + 2), { timeout: 30000 });
  assert.equal(await page.locator('.stack-tools [role="status"]').count(), 1);
  await page.getByRole('button', { name: 'Done', exact: true }).click();
  assert.equal(await page.locator('.stack-tools [role="status"]').count(), 0);
  // A kernel larger than its map: fitted to the map, with a notice naming the layer.
  await page.goto(`${env.server.url}?lab=stack&stack=1x4x4_standard-o1-k9-s1-p0&lang=en`);
  await drawn(page);
  assert.equal(await stat(page, 'stack-output-shape'), '1×1×1');
  assert.match(await page.locator('[data-stat="stack-notices"]').textContent(), /Layer 1: .*kernel_size.*9 → 4/);
  assert.deepEqual(problems, []);
  await context.close();
});
