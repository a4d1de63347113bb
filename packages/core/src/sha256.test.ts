import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checksumMatches, payloadChecksum, sha256Hex } from './sha256.js';

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it("equals node:crypto's digest at every length around the block boundaries, and for UTF-8 text", () => {
    for (let len = 0; len < 200; len++) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 131 + len) & 255);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    const text = 'λ = 1e-3 · WᵀW ‖W_i‖ 🙂';
    expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });
});

describe('payload checksums', () => {
  it('verify after a JSON round trip and fail on any change of the payload or the checksum', () => {
    const payload = { format: 'x/1', w: 'AAAAPw==', step: 3, nested: { a: [1, 2.5e-7, -0] } };
    const doc = JSON.parse(JSON.stringify({ ...payload, checksum: payloadChecksum(payload) })) as Record<string, unknown>;
    expect(checksumMatches(doc)).toBe(true);
    expect(checksumMatches({ ...doc, step: 4 })).toBe(false);
    expect(checksumMatches({ ...doc, w: 'AAAAPx==' })).toBe(false);
    expect(checksumMatches({ ...doc, checksum: `${String(doc.checksum).slice(0, -1)}0` })).toBe(
      String(doc.checksum).endsWith('0'),
    );
    const { checksum: _c, ...without } = doc;
    expect(checksumMatches(without)).toBe(false);
  });
});
