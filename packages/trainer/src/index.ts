export { initBackend, verifyBackend } from './backend.js';
export type { BackendOptions, KernelChoice } from './backend.js';
export { CHECKPOINT_FORMAT, deserializeCheckpoint, memoryCheckpointSink, serializeCheckpoint } from './checkpoint.js';
export type {
  Checkpoint,
  CheckpointSink,
  EncodedFloat32,
  EncodedTensorData,
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
export { jsonLinesLogger } from './logger.js';
export { learningRate, scheduleFactor } from './schedule.js';
export { chooseEngine, train } from './train.js';
export type { TrainOptions } from './train.js';
