// A minimal ONNX ModelProto writer (protobuf wire format by hand) for single-layer models:
// enough for Conv, ConvTranspose and Resize with float initializers.

class Writer {
  constructor() { this.bytes = []; }
  varint(n) {
    let v = BigInt(n);
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v) b |= 0x80;
      this.bytes.push(b);
    } while (v);
    return this;
  }
  tag(field, wire) { return this.varint((field << 3) | wire); }
  int(field, n) { return this.tag(field, 0).varint(n); }
  bytesField(field, data) { this.tag(field, 2).varint(data.length); for (const b of data) this.bytes.push(b); return this; }
  str(field, s) { return this.bytesField(field, new TextEncoder().encode(s)); }
  msg(field, w) { return this.bytesField(field, w.bytes); }
}

function attrInts(name, values) {
  const w = new Writer().str(1, name);
  for (const v of values) w.int(8, v);
  return w.int(20, 7); // AttributeProto.type = INTS
}
function attrInt(name, value) { return new Writer().str(1, name).int(3, value).int(20, 2); } // INT
function attrStr(name, value) { return new Writer().str(1, name).str(4, value).int(20, 3); } // STRING

function tensor(name, dims, data) {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, 1); // FLOAT
  w.str(8, name);
  w.bytesField(9, new Uint8Array(new Float32Array(data).buffer));
  return w;
}

function valueInfo(name, dims) {
  const shape = new Writer();
  for (const d of dims) shape.msg(1, new Writer().int(1, d));
  const tensorType = new Writer().int(1, 1).msg(2, shape);
  return new Writer().str(1, name).msg(2, new Writer().msg(1, tensorType));
}

function node(op, inputs, outputs, attrs) {
  const w = new Writer();
  for (const i of inputs) w.str(1, i);
  for (const o of outputs) w.str(2, o);
  w.str(4, op);
  for (const a of attrs) w.msg(5, a);
  return w;
}

/** A model of `nodes` with `initializers`, one input `x` and one output `y`. */
export function model({ nodes, initializers, input, output }) {
  const graph = new Writer();
  for (const n of nodes) graph.msg(1, n);
  graph.str(2, 'g');
  for (const t of initializers) graph.msg(5, t);
  graph.msg(11, valueInfo('x', input));
  graph.msg(12, valueInfo('y', output));
  const m = new Writer().int(1, 8).str(2, 'conv-playground-bench').msg(7, graph).msg(8, new Writer().str(1, '').int(2, 17));
  return new Uint8Array(m.bytes);
}

export const onnx = { node, tensor, attrInts, attrInt, attrStr };
