import type { LossRecord } from '@polytoy/core';

/**
 * A LossRecord logger that writes one JSON object per record (JSON Lines), keys in a fixed
 * order: `step, instance, loss, reconstruction, l1`.
 *
 * @param write - receives each line without a trailing newline.
 * @returns a function to pass as `TrainOptions.onLog`.
 * @example
 * const onLog = jsonLinesLogger((line) => process.stdout.write(line + '\n'));
 * await train(config, { onLog });
 * // {"step":0,"instance":0,"loss":0.93,"reconstruction":0.92,"l1":4.1}
 */
export function jsonLinesLogger(write: (line: string) => void): (record: LossRecord) => void {
  return (r) =>
    write(JSON.stringify({ step: r.step, instance: r.instance, loss: r.loss, reconstruction: r.reconstruction, l1: r.l1 }));
}
