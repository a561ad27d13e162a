// Trunk post-build hook: moves the inline module script that trunk writes into index.html to a
// file of its own, so the page runs under a strict Content-Security-Policy
// (script-src 'self' 'wasm-unsafe-eval', no 'unsafe-inline'); and names the GIF export worker's
// loader (hashed like every asset) in <meta name="gif-worker">, where the page looks for it
// (crates/conv-playground/src/worker.rs). In a release build it also minifies the page's
// wasm-bindgen glue with terser and its style sheet with csso (2.4 KiB less of the first load,
// which tests/size.test.mjs holds to 250 KiB) and writes each minified file's digest into its
// integrity attribute.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import * as csso from 'csso';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('externalize-loader: TRUNK_STAGING_DIR is not set (run as a trunk hook)');
  process.exit(1);
}
const publicUrl = process.env.TRUNK_PUBLIC_URL || '/';
const htmlPath = path.join(dir, 'index.html');
let html = fs.readFileSync(htmlPath, 'utf8');
const base = publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`;
const workerLoader = fs.readdirSync(dir).find((f) => /^gif-worker(-[0-9a-f]+)?_loader\.js$/.test(f));
if (workerLoader) {
  // Trunk's shim calls wasm_bindgen(path), which wasm-bindgen now warns about in the console:
  // pass the options object it asks for.
  const shim = path.join(dir, workerLoader);
  fs.writeFileSync(shim, fs.readFileSync(shim, 'utf8').replace(/wasm_bindgen\(("[^"]+")\)/, 'wasm_bindgen({ module_or_path: $1 })'));
}
if (workerLoader && !html.includes('name="gif-worker"')) {
  html = html.replace('</head>', `<meta name="gif-worker" content="${base}${workerLoader}"></head>`);
  fs.writeFileSync(htmlPath, html);
  console.log(`externalize-loader: named the worker ${workerLoader}`);
}
if (process.env.TRUNK_PROFILE === 'release') html = minifyCss(await minifyGlue(html));
const re = /<script type="module">([\s\S]*?)<\/script>/;
const m = html.match(re);
if (!m) {
  fs.writeFileSync(htmlPath, html);
  console.log('externalize-loader: no inline module script');
  process.exit(0);
}
const code = m[1].trim() + '\n';
const hash = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
const name = `loader-${hash}.js`;
fs.writeFileSync(path.join(dir, name), code);
fs.writeFileSync(htmlPath, html.replace(re, `<script type="module" src="${base}${name}"></script>`));
console.log(`externalize-loader: wrote ${name}`);

/** Minifies the style sheet in place with csso (once) and returns `html` with its new
 * subresource-integrity digest: 0.4 KiB less of the first load. */
function minifyCss(page) {
  const sheet = fs.readdirSync(dir).find((f) => /^style-[0-9a-f]+\.css$/.test(f));
  if (!sheet) return page;
  const file = path.join(dir, sheet);
  const source = fs.readFileSync(file, 'utf8');
  if (!source.startsWith('/* minified */')) {
    const { css } = csso.minify(source, { restructure: false });
    fs.writeFileSync(file, `/* minified */${css}`);
    console.log(`externalize-loader: minified ${sheet} (${source.length} → ${css.length} bytes)`);
  }
  const digest = crypto.createHash('sha384').update(fs.readFileSync(file)).digest('base64');
  const link = new RegExp(`(href="[^"]*${sheet.replace('.', '\\.')}"[^>]*integrity=")sha384-[^"]+"`);
  if (!link.test(page)) throw new Error(`externalize-loader: no integrity attribute for ${sheet}`);
  return page.replace(link, `$1sha384-${digest}"`);
}

/** Minifies the page's JS glue in place (once: a minified file is left alone) and returns `html`
 * with the file's new subresource-integrity digest. */
async function minifyGlue(page) {
  const { minify } = await import('terser');
  const glue = fs.readdirSync(dir).find((f) => /^conv-playground-[0-9a-f]+\.js$/.test(f));
  if (!glue) return page;
  const file = path.join(dir, glue);
  const source = fs.readFileSync(file, 'utf8');
  if (!source.startsWith('/* minified */')) {
    const { code } = await minify(source, { module: true, compress: true, mangle: true });
    fs.writeFileSync(file, `/* minified */${code}`);
    console.log(`externalize-loader: minified ${glue} (${source.length} → ${code.length} bytes)`);
  }
  const digest = crypto.createHash('sha384').update(fs.readFileSync(file)).digest('base64');
  const link = new RegExp(`(href="[^"]*${glue.replace('.', '\\.')}"[^>]*integrity=")sha384-[^"]+"`);
  if (!link.test(page)) throw new Error(`externalize-loader: no integrity attribute for ${glue}`);
  return page.replace(link, `$1sha384-${digest}"`);
}
