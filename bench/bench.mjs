// The in-browser benchmark: conv-core (wasm, SIMD), tfjs-wasm (non-threaded SIMD build) and
// onnxruntime-web (wasm SIMD, one thread) on S1–S7 with identical seeded inputs and weights.
// "JS Float32Array in, JS Float32Array out": weights prepared once, each timed call takes a
// Float32Array and awaits a Float32Array. Results go to window.__benchResult.
import init, { BenchLayer, shape_table } from '/pkg/conv_bench.js';
import { model, onnx } from '/bench/onnx.mjs';

const params = new URLSearchParams(location.search);
const RUNS = Number(params.get('runs') || 30);
// `only=S1` limits the run to one shape (for profiling).
const ONLY = params.get('only');
const WARMUP = 5;
const log = (s) => { document.getElementById('log').textContent += `\n${s}`; };

function seeded(n, seed) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

async function time(fn) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const t = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], p90: t[Math.floor(t.length * 0.9)] };
}

const chwToHwc = (x, c, h, w) => {
  const out = new Float32Array(x.length);
  for (let ci = 0; ci < c; ci++) for (let i = 0; i < h * w; i++) out[i * c + ci] = x[ci * h * w + i];
  return out;
};
const hwcToChw = (x, c, h, w) => {
  const out = new Float32Array(x.length);
  for (let ci = 0; ci < c; ci++) for (let i = 0; i < h * w; i++) out[ci * h * w + i] = x[i * c + ci];
  return out;
};
/** PyTorch (O, I, kh, kw) → TF (kh, kw, I, O). */
const oihwToHwio = (wt, o, i, kh, kw) => {
  const out = new Float32Array(wt.length);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++)
    out[((y * kw + x) * i + b) * o + a] = wt[((a * i + b) * kh + y) * kw + x];
  return out;
};

function maxAbs(a) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a, b) {
  if (!a || !b || a.length !== b.length) return null;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function tfjsRunner(s, x, wt) {
  if (s.id === 'S4') return null; // tfjs has no grouped convolution
  const [c, h, w] = s.input;
  const [a, b, kh, kw] = s.weight;
  const xHwc = chwToHwc(x, c, h, w);
  let filter;
  let call;
  if (s.id === 'S2') {
    // depthwise: PyTorch (C, 1, k, k) → TF (k, k, C, 1)
    // (C, 1, k, k) as (k, k, 1, C) has the memory order of TF's (k, k, C, 1).
    filter = tf.tensor4d(oihwToHwio(wt, a, b, kh, kw), [kh, kw, a, 1]);
    call = (t) => tf.depthwiseConv2d(t, filter, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  } else if (s.id === 'S6') {
    // PyTorch (C_in, C_out, k, k) → TF conv2dTranspose filter (k, k, C_out, C_in)
    const f = new Float32Array(wt.length);
    for (let i = 0; i < a; i++) for (let o = 0; o < b; o++) for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++)
      f[((y * kw + xx) * b + o) * a + i] = wt[((i * b + o) * kh + y) * kw + xx];
    filter = tf.tensor4d(f, [kh, kw, b, a]);
    // TF's 'same' puts the odd row at the other end than PyTorch's padding=1, output_padding=1:
    // take the 'valid' result (113²) and crop one row and column at the top left, as PyTorch does.
    call = (t) => {
      const full = tf.conv2dTranspose(t, filter, [1, (h - 1) * 2 + kh, (w - 1) * 2 + kw, b], 2, 'valid');
      const y = tf.slice(full, [0, 1, 1, 0], [1, h * 2, w * 2, b]);
      full.dispose();
      return y;
    };
  } else {
    filter = tf.tensor4d(oihwToHwio(wt, a, b, kh, kw), [kh, kw, b, a]);
    const pad = { S1: 1, S3: 0, S5: 2, S7: 1 }[s.id];
    const dil = s.id === 'S5' ? 2 : 1;
    const pads = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
    call = s.id === 'S7'
      ? (t) => tf.conv2d(tf.image.resizeNearestNeighbor(t, [h * 2, w * 2]), filter, 1, pads)
      : (t) => tf.conv2d(t, filter, 1, pads, 'NHWC', dil);
  }
  const run = async () => {
    const t = tf.tensor4d(xHwc, [1, h, w, c]);
    const y = call(t);
    const data = await y.data();
    const shape = y.shape;
    t.dispose();
    y.dispose();
    return { data, shape };
  };
  const first = await run();
  const [, oh, ow, oc] = first.shape;
  return { run, output: hwcToChw(first.data, oc, oh, ow) };
}

async function ortRunner(s, x, wt) {
  const [c, h, w] = s.input;
  const [a, b, kh, kw] = s.weight;
  const attrs = (pad, dil, group) => [onnx.attrInts('kernel_shape', [kh, kw]), onnx.attrInts('pads', [pad, pad, pad, pad]), onnx.attrInts('strides', [1, 1]), onnx.attrInts('dilations', [dil, dil]), onnx.attrInt('group', group)];
  let spec;
  if (s.id === 'S6') {
    spec = {
      nodes: [onnx.node('ConvTranspose', ['x', 'w'], ['y'], [onnx.attrInts('kernel_shape', [kh, kw]), onnx.attrInts('pads', [1, 1, 1, 1]), onnx.attrInts('strides', [2, 2]), onnx.attrInts('output_padding', [1, 1])])],
      initializers: [onnx.tensor('w', [a, b, kh, kw], wt)],
      output: [1, b, h * 2, w * 2],
    };
  } else if (s.id === 'S7') {
    spec = {
      nodes: [
        onnx.node('Resize', ['x', '', 'scales'], ['up'], [onnx.attrStr('mode', 'nearest'), onnx.attrStr('coordinate_transformation_mode', 'asymmetric'), onnx.attrStr('nearest_mode', 'floor')]),
        onnx.node('Conv', ['up', 'w'], ['y'], attrs(1, 1, 1)),
      ],
      initializers: [onnx.tensor('w', [a, b, kh, kw], wt), onnx.tensor('scales', [4], [1, 1, 2, 2])],
      output: [1, a, h * 2, w * 2],
    };
  } else {
    const pad = { S1: 1, S2: 1, S3: 0, S4: 1, S5: 2 }[s.id];
    const group = { S2: 32, S4: 4 }[s.id] || 1;
    const [oc, oh, ow] = [a, h, w];
    spec = {
      nodes: [onnx.node('Conv', ['x', 'w'], ['y'], attrs(pad, s.id === 'S5' ? 2 : 1, group))],
      initializers: [onnx.tensor('w', [a, b, kh, kw], wt)],
      output: [1, oc, oh, ow],
    };
  }
  const bytes = model({ ...spec, input: [1, c, h, w] });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const run = async () => {
    const out = await session.run({ x: new ort.Tensor('float32', x, [1, c, h, w]) });
    return out.y.data;
  };
  return { run, output: await run() };
}

async function main() {
  await init();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  await tf.setBackend('wasm');
  await tf.ready();
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  const shapes = JSON.parse(shape_table());
  const rows = [];
  for (const s of shapes.filter((x) => !ONLY || x.id === ONLY)) {
    const [c, h, w] = s.input;
    const x = seeded(c * h * w, 1);
    const wt = seeded(s.weight.reduce((p, v) => p * v, 1), 2);
    const layer = new BenchLayer(s.id, wt);
    const core = { run: async () => layer.run(x) };
    core.output = await core.run();
    const tfr = await tfjsRunner(s, x, wt);
    const ortr = await ortRunner(s, x, wt);
    const coreT = await time(core.run);
    const tfT = tfr ? await time(tfr.run) : null;
    const ortT = await time(ortr.run);
    const diffs = [maxAbsDiff(core.output, ortr.output), tfr ? maxAbsDiff(core.output, tfr.output) : 0];
    const gflops = (ms) => (ms ? (2 * s.macs) / (ms * 1e6) : null);
    const row = {
      id: s.id,
      name: s.name,
      conv_core_ms: coreT.median,
      conv_core_p90_ms: coreT.p90,
      tfjs_wasm_ms: tfT ? tfT.median : null,
      tfjs_wasm_p90_ms: tfT ? tfT.p90 : null,
      ort_wasm_ms: ortT.median,
      ort_wasm_p90_ms: ortT.p90,
      conv_core_gflops: gflops(coreT.median),
      tfjs_wasm_gflops: tfT ? gflops(tfT.median) : null,
      ort_wasm_gflops: gflops(ortT.median),
      max_abs_diff: Math.max(...diffs.map((d) => (d === null ? Infinity : d))),
      // Relative to the largest output magnitude: the engines must agree within 1e-4.
      max_rel_diff: Math.max(...diffs.map((d) => (d === null ? Infinity : d))) / Math.max(1e-30, maxAbs(core.output)),
      max_abs_diff_ort: diffs[0],
      max_abs_diff_tfjs: tfr ? diffs[1] : null,
      runs: RUNS,
    };
    rows.push(row);
    log(`${s.id} core ${row.conv_core_ms.toFixed(2)} ms, tfjs ${row.tfjs_wasm_ms?.toFixed(2) ?? 'n/a'} ms, ort ${row.ort_wasm_ms.toFixed(2)} ms, diff ${row.max_abs_diff.toExponential(1)}`);
    layer.free();
  }
  window.__benchResult = { shapes: rows, cross_origin_isolated: self.crossOriginIsolated };
}

main().catch((e) => { window.__benchError = String(e && e.stack || e); log(window.__benchError); });
