/**
 * Screenshot comparison against committed baselines (test/screenshots/*.png), decoded and
 * compared in the browser (no image library needed in Node). A pixel differs when any channel
 * differs by more than `channelTolerance`; a screenshot matches when at most `pixelTolerance`
 * of its pixels differ and the sizes agree. `POLYTOY_UPDATE_SCREENSHOTS=1` writes the baselines.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const BASELINES = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

/** How two images differ. */
export interface ImageDiff {
  width: number;
  height: number;
  baselineWidth: number;
  baselineHeight: number;
  /** Fraction of pixels that differ beyond the channel tolerance. */
  differing: number;
  /** Largest channel difference. */
  maxDelta: number;
}

/**
 * Compares two PNGs (as bytes) in the page.
 *
 * @example
 * const d = await comparePngs(page, shot, readFileSync('baseline.png'), 24);
 */
export function comparePngs(page: Page, actual: Buffer, baseline: Buffer, channelTolerance: number): Promise<ImageDiff> {
  return page.evaluate(
    async ({ a, b, tol }) => {
      const decode = async (base64: string) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(bitmap, 0, 0);
        return { w: bitmap.width, h: bitmap.height, data: ctx.getImageData(0, 0, bitmap.width, bitmap.height).data };
      };
      const [x, y] = await Promise.all([decode(a), decode(b)]);
      let differing = 0;
      let maxDelta = 0;
      if (x.w === y.w && x.h === y.h) {
        for (let i = 0; i < x.data.length; i += 4) {
          let d = 0;
          for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(x.data[i + c]! - y.data[i + c]!));
          maxDelta = Math.max(maxDelta, d);
          if (d > tol) differing++;
        }
      }
      return {
        width: x.w,
        height: x.h,
        baselineWidth: y.w,
        baselineHeight: y.h,
        differing: x.w === y.w && x.h === y.h ? differing / (x.w * x.h) : 1,
        maxDelta,
      };
    },
    { a: actual.toString('base64'), b: baseline.toString('base64'), tol: channelTolerance },
  );
}

/**
 * The baseline for `name`, written from `actual` first when `POLYTOY_UPDATE_SCREENSHOTS=1`.
 *
 * @throws Error saying how to create it when it is missing.
 */
export function baseline(name: string, actual: Buffer): Buffer {
  const file = join(BASELINES, name);
  if (process.env.POLYTOY_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(BASELINES, { recursive: true });
    writeFileSync(file, actual);
  }
  if (!existsSync(file)) {
    throw new Error(`screenshot baseline ${file} is missing: run the test once with POLYTOY_UPDATE_SCREENSHOTS=1 and commit it`);
  }
  return readFileSync(file);
}
