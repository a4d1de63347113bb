/**
 * NumPy's `.npz` written in TypeScript: a zip archive (stored, no compression, CRC-32) of `.npy`
 * files in format version 1.0, little-endian `<f4`, `<f8` or `<i4`. `numpy.load` reads it with no
 * polytoy code; members that are not arrays (e.g. `runs.json`) come back as bytes.
 */
import { ConfigError } from '@polytoy/core';

/** dtypes written: float32, float64, int32 (little-endian). */
export type NpyDtype = '<f4' | '<f8' | '<i4';

/** One array: dtype, C-order shape and values (`shape` multiplies to `data.length`). */
export interface NpyArray {
  dtype: NpyDtype;
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** A member of an archive: an array (`<name>.npy`) or raw bytes under their own file name. */
export type NpzMember = { name: string; array: NpyArray } | { name: string; bytes: Uint8Array };

const BYTES: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i4': 4 };

/**
 * Encodes one array as a `.npy` file (format 1.0; the header padded so data starts at a
 * multiple of 64 bytes, as NumPy writes it).
 *
 * @throws ConfigError when the shape does not match the data length, or an `<i4` value is not
 *   a 32-bit integer.
 * @example
 * npyBytes({ dtype: '<f8', shape: [2], data: [1, 2] }).length; // 128 + 16
 */
export function npyBytes(a: NpyArray): Uint8Array {
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (count !== a.data.length || a.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ConfigError('npy shape', `dimensions multiplying to ${a.data.length}`, `(${a.shape.join(', ')})`);
  }
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${a.dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += `${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + count * BYTES[a.dtype]);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY, version 1.0
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  let o = 10 + header.length;
  for (let i = 0; i < count; i++, o += BYTES[a.dtype]) {
    const v = a.data[i]!;
    if (a.dtype === '<f8') view.setFloat64(o, v, true);
    else if (a.dtype === '<f4') view.setFloat32(o, v, true);
    else {
      if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new ConfigError('npy <i4 value', 'a 32-bit integer', v);
      view.setInt32(o, v, true);
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 (IEEE, as zip and zlib compute it).
 *
 * @example
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A store-only zip archive of the members (arrays as `<name>.npy`): what `numpy.savez` writes,
 * without compression. Time stamps are fixed (1980-01-01), so equal inputs give equal bytes.
 *
 * @throws ConfigError for duplicate names, or an archive past the 4 GiB / 65535-member limits
 *   of zip without its zip64 extension.
 * @example
 * writeFileSync('a.npz', npzBytes([{ name: 'x', array: { dtype: '<f4', shape: [3], data: [1, 2, 3] } }]));
 */
export function npzBytes(members: readonly NpzMember[]): Uint8Array {
  const files = members.map((m) => ({
    name: new TextEncoder().encode('array' in m ? `${m.name}.npy` : m.name),
    data: 'array' in m ? npyBytes(m.array) : m.bytes,
  }));
  const names = new Set<string>();
  for (const f of files) {
    const key = new TextDecoder().decode(f.name);
    if (names.has(key)) throw new ConfigError('npz member', 'unique names', key);
    names.add(key);
  }
  if (files.length > 0xffff) throw new ConfigError('npz', 'at most 65535 arrays', files.length);
  const size = files.reduce((a, f) => a + 30 + f.name.length + f.data.length + 46 + f.name.length, 22);
  if (size >= 2 ** 32) throw new ConfigError('npz', 'an archive under 4 GiB (no zip64)', `${size} bytes`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01, 00:00
  let o = 0;
  const offsets: number[] = [];
  const crcs = files.map((f) => crc32(f.data));
  files.forEach((f, i) => {
    offsets.push(o);
    view.setUint32(o, 0x04034b50, true);
    view.setUint16(o + 4, 20, true); // version needed: 2.0
    view.setUint16(o + 6, 0x0800, true); // UTF-8 names
    view.setUint16(o + 8, 0, true); // stored
    view.setUint16(o + 10, 0, true);
    view.setUint16(o + 12, DOS_DATE, true);
    view.setUint32(o + 14, crcs[i]!, true);
    view.setUint32(o + 18, f.data.length, true);
    view.setUint32(o + 22, f.data.length, true);
    view.setUint16(o + 26, f.name.length, true);
    view.setUint16(o + 28, 0, true);
    out.set(f.name, o + 30);
    out.set(f.data, o + 30 + f.name.length);
    o += 30 + f.name.length + f.data.length;
  });
  const central = o;
  files.forEach((f, i) => {
    view.setUint32(o, 0x02014b50, true);
    view.setUint16(o + 4, 20, true);
    view.setUint16(o + 6, 20, true);
    view.setUint16(o + 8, 0x0800, true);
    view.setUint16(o + 10, 0, true);
    view.setUint16(o + 12, 0, true);
    view.setUint16(o + 14, DOS_DATE, true);
    view.setUint32(o + 16, crcs[i]!, true);
    view.setUint32(o + 20, f.data.length, true);
    view.setUint32(o + 24, f.data.length, true);
    view.setUint16(o + 28, f.name.length, true);
    // extra, comment, disk, internal attributes: 0; external attributes: 0; offset:
    view.setUint32(o + 42, offsets[i]!, true);
    out.set(f.name, o + 46);
    o += 46 + f.name.length;
  });
  view.setUint32(o, 0x06054b50, true);
  view.setUint16(o + 8, files.length, true);
  view.setUint16(o + 10, files.length, true);
  view.setUint32(o + 12, o - central, true);
  view.setUint32(o + 16, central, true);
  return out;
}
