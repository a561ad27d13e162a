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
if (process.env.TRUNK_PROFILE === 'release') html = minifyCss(await minifyGlue(shortenImports(html)));
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

/** Renames the page's wasm imports (wasm-bindgen's `__wbg_<name>_<16 hex digits>`, 200 of
 * them, written in both the module and its JS glue) to short names, in both files (once: a module
 * whose imports are short is left alone), and returns `html` with the module's new integrity
 * digest: about 4 KiB less of the first load, mostly the digits, which do not compress. */
function shortenImports(page) {
  const glue = fs.readdirSync(dir).find((f) => /^conv-playground-[0-9a-f]+\.js$/.test(f));
  const module = fs.readdirSync(dir).find((f) => /^conv-playground-[0-9a-f]+_bg\.wasm$/.test(f));
  if (!glue || !module) return page;
  const wasmFile = path.join(dir, module);
  const glueFile = path.join(dir, glue);
  const bytes = fs.readFileSync(wasmFile);
  const imports = readImports(bytes);
  if (imports && imports.names.some((n) => n.startsWith('__wb'))) {
    let js = fs.readFileSync(glueFile, 'utf8');
    const short = new Map();
    imports.names.forEach((n) => short.set(n, short.get(n) ?? shortName(short.size)));
    for (const [long, s] of short) {
      const word = new RegExp(`(?<![\\w$])${long.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
      if (!word.test(js)) throw new Error(`externalize-loader: the glue does not name the import ${long}`);
      js = js.replace(word, () => s);
    }
    fs.writeFileSync(glueFile, js);
    fs.writeFileSync(wasmFile, writeImports(bytes, imports, imports.names.map((n) => short.get(n))));
    console.log(`externalize-loader: shortened ${short.size} import names of ${module}`);
  }
  const digest = crypto.createHash('sha384').update(fs.readFileSync(wasmFile)).digest('base64');
  const link = new RegExp(`(href="[^"]*${module.replace('.', '\\.')}"[^>]*integrity=")sha384-[^"]+"`);
  if (!link.test(page)) throw new Error(`externalize-loader: no integrity attribute for ${module}`);
  return page.replace(link, `$1sha384-${digest}"`);
}

/** The `i`-th short name: a, b, …, Z, aa, ab, … (JavaScript identifiers, none a keyword). */
function shortName(i) {
  const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  do {
    s = abc[i % abc.length] + s;
    i = Math.floor(i / abc.length) - 1;
  } while (i >= 0);
  return `$${s}`;
}

/** Reads an unsigned LEB128 number at `at`: [value, next offset]. */
function leb(b, at) {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[at++];
    v += (x & 0x7f) * 2 ** shift;
    shift += 7;
    if (x < 0x80) return [v, at];
  }
}

function writeLeb(v) {
  const out = [];
  do {
    let x = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) x |= 0x80;
    out.push(x);
  } while (v > 0);
  return Buffer.from(out);
}

/** The import section of a wasm module: where it is, and each import's field name and the
 * bytes around it (its module name before, its kind and type after). */
function readImports(b) {
  let at = 8;
  while (at < b.length) {
    const id = b[at];
    const [size, body] = leb(b, at + 1);
    if (id === 2) {
      let [count, p] = leb(b, body);
      const names = [];
      const heads = [];
      const tails = [];
      for (let k = 0; k < count; k++) {
        const start = p;
        let n;
        [n, p] = leb(b, p);
        p += n;
        heads.push(b.subarray(start, p));
        [n, p] = leb(b, p);
        names.push(b.subarray(p, p + n).toString('utf8'));
        p += n;
        const tail = p;
        const kind = b[p++];
        if (kind === 0 || kind === 4) {
          if (kind === 4) p++;
          [, p] = leb(b, p);
        } else if (kind === 1 || kind === 2) {
          if (kind === 1) p++;
          const flags = b[p++];
          [, p] = leb(b, p);
          if (flags & 1) [, p] = leb(b, p);
        } else if (kind === 3) {
          p += 2;
        } else {
          throw new Error(`externalize-loader: unknown import kind ${kind}`);
        }
        tails.push(b.subarray(tail, p));
      }
      if (p !== body + size) throw new Error('externalize-loader: the import section did not parse');
      return { start: at, end: body + size, names, heads, tails };
    }
    at = body + size;
  }
  return null;
}

/** `b` with its imports' field names replaced by `names`. */
function writeImports(b, imports, names) {
  const parts = [writeLeb(names.length)];
  names.forEach((n, k) => {
    const name = Buffer.from(n, 'utf8');
    parts.push(imports.heads[k], writeLeb(name.length), name, imports.tails[k]);
  });
  const body = Buffer.concat(parts);
  return Buffer.concat([
    b.subarray(0, imports.start),
    Buffer.from([2]),
    writeLeb(body.length),
    body,
    b.subarray(imports.end),
  ]);
}

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
