import { describe, expect, it } from 'vitest';
import { jsonLinesLogger } from './logger.js';

describe('jsonLinesLogger', () => {
  it('writes one JSON object per record with the five fields in a fixed order', () => {
    const lines: string[] = [];
    const log = jsonLinesLogger((line) => lines.push(line));
    log({ l1: 4.5, reconstruction: 0.25, loss: 0.2545, instance: 2, step: 100 });
    log({ step: 200, instance: 0, loss: 1e-7, reconstruction: 0, l1: 0 });
    expect(lines).toEqual([
      '{"step":100,"instance":2,"loss":0.2545,"reconstruction":0.25,"l1":4.5}',
      '{"step":200,"instance":0,"loss":1e-7,"reconstruction":0,"l1":0}',
    ]);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({ step: 100, instance: 2, loss: 0.2545, reconstruction: 0.25, l1: 4.5 });
  });
});
