export { createPrng, normalArray, Prng, splitMix32 } from './prng.js';
export type { PrngState } from './prng.js';
export { BackendError, ConfigError, DivergenceError, formatReceived, PolytoyError } from './errors.js';
export { DEFAULTS } from './defaults.js';
export {
  resolveDataConfig,
  resolveOptimizerConfig,
  resolveScheduleConfig,
  resolveTrainConfig,
} from './config.js';
export type {
  DataConfig,
  DataKind,
  HiddenActivation,
  HiddenNoiseConfig,
  InitConfig,
  InstanceSpec,
  L1Config,
  ModelConfig,
  OptimizerConfig,
  OutputActivation,
  ScheduleConfig,
  TrainConfig,
  TrainConfigInput,
  WeightsConfig,
} from './config.js';
export { cloneParams, decoderRowsOf, deserializeParams, encoderOf, serializeParams } from './params.js';
export type { ModelParams, SerializedParams, TiedParams, UntiedParams } from './params.js';
export { parseRunRecord, RUN_RECORD_FORMAT, toRunRecord } from './records.js';
export { trainConfigSchema } from './config-schema.js';
export { lossRecordSchema, runRecordSchema, runtimeInfoSchema, serializedParamsSchema } from './record-schema.js';
export type {
  InstanceResult,
  LoadedRun,
  LossRecord,
  Progress,
  ProgressCallback,
  RunRecord,
  RunRecordInstance,
  RuntimeInfo,
  TrainResult,
} from './records.js';
