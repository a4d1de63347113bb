export { initBackend, verifyBackend } from './backend.js';
export type { BackendOptions, KernelChoice } from './backend.js';
export {
  CHECKPOINT_FORMAT,
  deserializeCheckpoint,
  jsonSafeConfig,
  memoryCheckpointSink,
  serializeCheckpoint,
} from './checkpoint.js';
export type {
  Checkpoint,
  CheckpointSink,
  EncodedFloat32,
  InstanceMonitor,
  InstanceState,
  InstanceStreamStates,
  OptimizerStateData,
  SerializedCheckpoint,
  TensorData,
} from './checkpoint.js';
export { addPlateauStep, emptyPlateauState, plateauReached } from './convergence.js';
export type { PlateauState } from './convergence.js';
export { lossDivergence, referenceLoss } from './divergence.js';
export { TrainingAbortedError } from './errors.js';
export { decodeFloat32, encodeFloat32 } from './float32-base64.js';
export { createTrainingData } from './fast-data.js';
export type { TrainingDataStream } from './fast-data.js';
export { batchSplitSupports, FusedStep, FusedTiedStep, fusedStepSupports } from './fused-step.js';
export type { FusedLossSums, FusedStepSetup } from './fused-step.js';
export { jsonLinesLogger } from './logger.js';
export {
  createOptimizerState,
  disposeOptimizerState,
  FLUSH_THRESHOLD,
  flushTinyMoments,
  optimizerSlotNames,
  optimizerStep,
} from './optimizer.js';
export type { OptimizerState, OptimizerStepOptions, TensorMap } from './optimizer.js';
export { optimizerDefinition, registeredOptimizerKinds, registerOptimizer } from './optimizers/registry.js';
export type {
  InPlaceUpdateInput,
  OptimizerDefinition,
  OptimizerSettings,
  TfjsUpdateInput,
  TfjsUpdateOutput,
} from './optimizers/definition.js';
export { learningRate, scheduleFactor } from './schedule.js';
export { inputPath } from './step-plan.js';
export type { InputPath } from './step-plan.js';
export { instanceStreams, STREAM_IDS } from './streams.js';
export type { InstanceStreams } from './streams.js';
export { chooseEngine, FLUSH_EVERY, train } from './train.js';
export type { TrainOptions } from './train.js';
