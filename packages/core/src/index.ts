export { createPrng, normalArray, Prng, splitMix32 } from './prng.js';
export type { PrngState } from './prng.js';
export { BackendError, ConfigError, DivergenceError, formatReceived, PolytoyError } from './errors.js';
export { DEFAULTS, defaultHiddenSize } from './defaults.js';
export {
  checkLambda,
  checkParamsShape,
  isResolvedTrainConfig,
  resolveConvergenceConfig,
  resolveDataConfig,
  resolveOptimizerConfig,
  resolveScheduleConfig,
  resolveTrainConfig,
} from './config.js';
export type {
  ConvergenceConfig,
  DataConfig,
  DivergenceConfig,
  DataKind,
  HiddenActivation,
  HiddenNoiseConfig,
  InitConfig,
  InstanceSpec,
  L1Config,
  ModelConfig,
  ModelConfigParsed,
  OptimizerConfig,
  OutputActivation,
  PlateauConfig,
  ScheduleConfig,
  TrainConfig,
  TrainConfigInput,
  WeightsConfig,
} from './config.js';
export { cloneParams, decoderRowsOf, deserializeParams, encoderOf, serializeParams } from './params.js';
export type { ModelParams, SerializedParams, TiedParams, UntiedParams } from './params.js';
export { parseRunRecord, RUN_RECORD_FORMAT, RUN_RECORD_FORMAT_V1, toRunRecord } from './records.js';
export {
  convergenceConfigSchema,
  dataConfigSchema,
  divergenceConfigSchema,
  LAMBDA_RULE,
  lambdaSchema,
  modelConfigSchema,
  OPTIMIZER_KINDS,
  optimizerConfigSchema,
  scheduleConfigSchema,
  trainConfigSchema,
} from './config-schema.js';
export type { OptimizerKind } from './config-schema.js';
export { lossRecordSchema, runRecordSchema, runtimeInfoSchema, serializedParamsSchema } from './record-schema.js';
export type {
  DivergedInstance,
  DivergenceReason,
  InstanceResult,
  InstanceStatus,
  LoadedRun,
  LossRecord,
  Progress,
  ProgressCallback,
  RunRecord,
  RunRecordInstance,
  RuntimeInfo,
  TrainResult,
} from './records.js';
