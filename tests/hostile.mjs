// The generators of the hostile-input tests (hostile.test.mjs, hostile-urls.test.mjs): URL
// parameter names, junk keys, payloads that try to set window.__pwned, and seeded query strings.

/** A small seeded generator (mulberry32), so every run tries the same inputs. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const KEYS = ['layer', 'height', 'width', 'in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups',
  'output_padding', 'scale_factor', 'depth_multiplier', 'bias', 'lang', 'theme', 'embed', 'input', 'parent_origin'];
export const JUNK_KEYS = ['__proto__', 'constructor', 'prototype', 'evil', '', ' layer', 'LAYER', 'height[]', 'a'.repeat(300), '😀', '<b>'];
export const PAYLOADS = [
  '<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=1">', 'javascript:window.__pwned=1',
  '"><svg onload=window.__pwned=1>', "'-alert(1)-'", '{{7*7}}', '${window.__pwned=1}',
  'NaN', 'Infinity', '-Infinity', '-1', '-0', '0', '1e309', '1e3', '0x10', '1.5', ' 3 ', '+4', '٣', '３',
  '99999999999999999999999999999', '18446744073709551616', '-99999999999999', '', '%00', '\u202e5', '\u200b3',
  'same', 'valid', 'grouped', 'standard', 'zh', 'en', 'dark', 'image', 'true', 'false', 'null', 'undefined', '[]', '{}',
  '😀'.repeat(50), 'x'.repeat(5000), 'https://evil.example', 'http://127.0.0.1:1',
];

/** A query string of 1–8 generated parameters (keys and junk keys, payloads and numbers of any size),
 * always with one value that must be corrected. */
export function hostileUrl(r) {
  const params = [];
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const key = r() < 0.8 ? KEYS[Math.floor(r() * KEYS.length)] : JUNK_KEYS[Math.floor(r() * JUNK_KEYS.length)];
    const value = r() < 0.6 ? PAYLOADS[Math.floor(r() * PAYLOADS.length)] : String(Math.floor((r() - 0.3) * 10 ** Math.floor(r() * 12)));
    params.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  // Always one value that must be corrected, so a notice is due.
  params.push(`kernel_size=${encodeURIComponent(PAYLOADS[Math.floor(r() * 7)])}`);
  if (r() < 0.2) params.push(params[0]);
  return params.join('&');
}
