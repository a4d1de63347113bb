// The .npz files are read back by NumPy itself (Debian's /usr/bin/python3 with python3-numpy):
// names, shapes, dtypes and every value must come back exactly.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, npyBytes, npzBytes } from './npz.js';

const PY = '/usr/bin/python3';

/** What numpy sees in an archive: per member, dtype, shape and values (as Python repr floats). */
function numpyRead(path: string): Record<string, { dtype: string; shape: number[]; values: number[] } | { bytes: string }> {
  const script = [
    'import json, sys, numpy as np',
    'z = np.load(sys.argv[1])',
    'out = {}',
    'for k in z.files:',
    '    v = z[k]',
    '    if isinstance(v, bytes): out[k] = {"bytes": v.decode()}',
    '    else: out[k] = {"dtype": v.dtype.str, "shape": list(v.shape), "values": [float(x) if np.isfinite(x) else None for x in v.ravel()]}',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync(PY, ['-c', script, path], { encoding: 'utf8' }));
}

describe('npz', () => {
  it('CRC-32 matches the check value of the standard', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('aligns .npy data to 64 bytes with a version 1.0 header', () => {
    for (const shape of [[0], [3], [2, 3], [1, 2, 3, 4]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const bytes = npyBytes({ dtype: '<f8', shape, data: new Float64Array(n) });
      expect((bytes.length - 8 * n) % 64).toBe(0);
      expect(Array.from(bytes.slice(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    }
  });

  it('numpy.load reads back names, shapes, dtypes and values exactly', () => {
    const f4 = Float32Array.from([0.1, -2.5, 3e-8, 1e30, 0, -0]);
    const f8 = [Math.PI, -1 / 3, 1e-300, 12345.678901234567, Number.NaN, Number.POSITIVE_INFINITY];
    const i4 = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 7];
    const path = join(mkdtempSync(join(tmpdir(), 'polytoy-npz-')), 'a.npz');
    writeFileSync(
      path,
      npzBytes([
        { name: 'W', array: { dtype: '<f4', shape: [2, 3], data: f4 } },
        { name: 'loss', array: { dtype: '<f8', shape: [6], data: f8 } },
        { name: 'seed', array: { dtype: '<i4', shape: [3, 2], data: i4 } },
        { name: 'weights/run-1/b', array: { dtype: '<f8', shape: [1, 1, 1], data: [2] } },
        { name: 'empty', array: { dtype: '<f8', shape: [0], data: [] } },
        { name: 'runs.json', bytes: new TextEncoder().encode('[{"x": "é"}]') },
      ]),
    );
    const r = numpyRead(path);
    expect(Object.keys(r).sort()).toEqual(['W', 'empty', 'loss', 'runs.json', 'seed', 'weights/run-1/b']);
    expect(r.W).toEqual({ dtype: '<f4', shape: [2, 3], values: Array.from(f4) });
    const loss = r.loss as { dtype: string; shape: number[]; values: number[] };
    expect(loss.dtype).toBe('<f8');
    expect(loss.values.slice(0, 4)).toEqual(f8.slice(0, 4));
    expect(r.seed).toEqual({ dtype: '<i4', shape: [3, 2], values: i4 });
    expect(r['weights/run-1/b']).toEqual({ dtype: '<f8', shape: [1, 1, 1], values: [2] });
    expect(r.empty).toEqual({ dtype: '<f8', shape: [0], values: [] });
    expect(r['runs.json']).toEqual({ bytes: '[{"x": "é"}]' });
    // NaN and infinity survive (JSON turns them into null, so check in Python).
    const special = execFileSync(
      PY,
      ['-c', `import numpy as np; v = np.load('${path}')['loss']; print(np.isnan(v[4]), np.isposinf(v[5]))`],
      {
        encoding: 'utf8',
      },
    );
    expect(special.trim()).toBe('True True');
  });

  it('rejects a shape that does not fit the data, duplicate names and non-integer <i4 values', () => {
    expect(() => npyBytes({ dtype: '<f4', shape: [2, 2], data: [1, 2, 3] })).toThrow(
      /npy shape: expected dimensions multiplying to 3/,
    );
    expect(() => npyBytes({ dtype: '<i4', shape: [1], data: [0.5] })).toThrow(/expected a 32-bit integer, received 0.5/);
    const a = { name: 'x', array: { dtype: '<f8' as const, shape: [1], data: [1] } };
    expect(() => npzBytes([a, a])).toThrow(/unique names, received "x.npy"/);
  });
});
