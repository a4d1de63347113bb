/**
 * Stable identities for runs: a canonical JSON form (sorted keys, typed arrays as arrays) and
 * SHA-256 (core's, plain TypeScript), so a run id is the same in Node, in browsers and across
 * processes, with no dependency on `node:crypto` (the package core stays browser-safe).
 */

/**
 * Serialises a JSON-like value with object keys sorted at every level, so two configs that
 * differ only in key order get the same string. `undefined` fields are dropped (as in
 * `JSON.stringify`); typed arrays become plain arrays; non-finite numbers are rejected because
 * JSON cannot carry them.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return canonicalJson(Array.from(value as unknown as ArrayLike<number>));
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: unsupported value of type ${typeof value}`);
}

// SHA-256 has one implementation, in core (browser-safe, tested there against FIPS 180-4 vectors).
export { sha256Hex } from '@polytoy/core';
