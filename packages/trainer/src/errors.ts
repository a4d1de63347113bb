import { PolytoyError } from '@polytoy/core';
import type { Checkpoint } from './checkpoint.js';

/**
 * Training stopped because its `AbortSignal` fired (Ctrl-C in the CLI). Thrown rather than
 * returned, because a `TrainResult` means "all steps done". The state at the moment of
 * abort is in {@link TrainingAbortedError.checkpoint} (and was given to the checkpoint sink,
 * if any), so `train(config, { resumeFrom: error.checkpoint })` continues bit-identically.
 */
export class TrainingAbortedError extends PolytoyError {
  override name = 'TrainingAbortedError';
  constructor(
    /** Updates completed before stopping. */
    readonly step: number,
    /** The run's state after `step` updates. */
    readonly checkpoint: Checkpoint,
    /** True when the checkpoint sink stored it. */
    readonly written: boolean,
  ) {
    super(
      `training aborted after step ${step}; ${written ? 'checkpoint written' : 'no checkpoint sink (resume from error.checkpoint)'}`,
    );
  }
}
