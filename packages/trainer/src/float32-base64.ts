/**
 * Float32Array ⇄ base64 of its little-endian bytes: checkpoints hold millions of float32 values,
 * and base64 is exact, about 2.5× smaller than decimal JSON, and portable (no Buffer/btoa).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

function toLittleEndianBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/**
 * Encodes float32 values as base64 (little-endian bytes, standard alphabet, `=` padding).
 *
 * @example
 * encodeFloat32(new Float32Array([1])); // "AACAPw=="
 */
export function encodeFloat32(values: Float32Array): string {
  const bytes = toLittleEndianBytes(values);
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!,
      b1 = bytes[i + 1] ?? 0,
      b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    chunk +=
      ALPHABET[(n >> 18) & 63]! +
      ALPHABET[(n >> 12) & 63]! +
      (i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '=') +
      (i + 2 < bytes.length ? ALPHABET[n & 63]! : '=');
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/**
 * Decodes {@link encodeFloat32}'s output.
 *
 * @param expectedLength - number of float32 values the caller expects (checked).
 * @throws RangeError for malformed base64 or a wrong length.
 * @example
 * decodeFloat32('AACAPw==', 1); // Float32Array [1]
 */
export function decodeFloat32(text: string, expectedLength?: number): Float32Array {
  if (text.length % 4 !== 0) throw new RangeError(`base64 length must be a multiple of 4, received ${text.length}`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const byteLength = (text.length / 4) * 3 - padding;
  if (byteLength % 4 !== 0) throw new RangeError(`float32 data must be a multiple of 4 bytes, received ${byteLength}`);
  if (expectedLength !== undefined && byteLength / 4 !== expectedLength) {
    throw new RangeError(`expected ${expectedLength} float32 values, received ${byteLength / 4}`);
  }
  const bytes = new Uint8Array(byteLength);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      const d = c === 61 && i + k >= text.length - padding ? 0 : c < 128 ? DECODE[c]! : -1;
      if (d < 0) throw new RangeError(`invalid base64 character at ${i + k}`);
      n = (n << 6) | d;
    }
    if (o < byteLength) bytes[o++] = (n >> 16) & 255;
    if (o < byteLength) bytes[o++] = (n >> 8) & 255;
    if (o < byteLength) bytes[o++] = n & 255;
  }
  if (LITTLE_ENDIAN) return new Float32Array(bytes.buffer);
  const view = new DataView(bytes.buffer);
  return Float32Array.from({ length: byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
