/**
 * `@polytoy/trainer/internal`: the trainer's building blocks for this repository's benchmarks and
 * tests (the fused step, the data stream, the optimizer state, the random streams, the
 * denormal flush). Not part of the public API: no semver promise, may change in any release.
 *
 * @packageDocumentation
 */
export { decodeFloat32, encodeFloat32 } from './float32-base64.js';
export { jsonSafeConfig } from './checkpoint.js';
export { createTrainingData } from './fast-data.js';
export type { TrainingDataStream } from './fast-data.js';
export { batchSplitSupports, FusedStep, FusedTiedStep, fusedStepSupports } from './fused-step.js';
export type { FusedLossSums, FusedStepSetup } from './fused-step.js';
export {
  createOptimizerState,
  disposeOptimizerState,
  FLUSH_THRESHOLD,
  flushTinyMoments,
  optimizerSlotNames,
  optimizerStep,
} from './optimizer.js';
export type { OptimizerState, OptimizerStepOptions, TensorMap } from './optimizer.js';
export { instanceStreams, STREAM_IDS } from './streams.js';
export type { InstanceStreams } from './streams.js';
export { FLUSH_EVERY } from './train.js';
export { optimizerDefinition, registeredOptimizerKinds, registerOptimizer } from './optimizers/registry.js';
export type {
  InPlaceUpdateInput,
  OptimizerDefinition,
  OptimizerSettings,
  TfjsUpdateInput,
  TfjsUpdateOutput,
} from './optimizers/definition.js';
export { inputPath, K_HOT_MIN_N } from './step-plan.js';
export type { InputPath } from './step-plan.js';
