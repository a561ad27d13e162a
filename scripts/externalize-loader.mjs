// Trunk post-build hook: moves the inline module script that trunk writes into index.html to a
// file of its own, so the page runs under a strict Content-Security-Policy
// (script-src 'self' 'wasm-unsafe-eval', no 'unsafe-inline').
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('externalize-loader: TRUNK_STAGING_DIR is not set (run as a trunk hook)');
  process.exit(1);
}
const publicUrl = process.env.TRUNK_PUBLIC_URL || '/';
const htmlPath = path.join(dir, 'index.html');
const html = fs.readFileSync(htmlPath, 'utf8');
const re = /<script type="module">([\s\S]*?)<\/script>/;
const m = html.match(re);
if (!m) {
  console.log('externalize-loader: no inline module script');
  process.exit(0);
}
const code = m[1].trim() + '\n';
const hash = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
const name = `loader-${hash}.js`;
fs.writeFileSync(path.join(dir, name), code);
const base = publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`;
fs.writeFileSync(htmlPath, html.replace(re, `<script type="module" src="${base}${name}"></script>`));
console.log(`externalize-loader: wrote ${name}`);
