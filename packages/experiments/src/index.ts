export { analyseRun, disambiguationUse, reanalyseLine, startAnalysis, USE_THRESHOLD } from './analyse.js';
// The taxonomy's vocabulary, for readers of result lines (the report, notebooks): one definition each.
export {
  ANALYSIS_VERSION,
  OUTPUT_CODES,
  OUTPUT_MECHANISM_DEFINITIONS,
  OUTPUT_MECHANISMS,
  SOLUTION_LABEL_DEFINITIONS,
  SOLUTION_LABELS,
  superpositionView,
} from '@polytoy/metrics';
export type {
  EpsNeuronSummary,
  OutputMechanism,
  SolutionLabel,
  SuperpositionSummary,
  SuperpositionView,
  TaxonomySummary,
} from '@polytoy/metrics';
export { EXPERIMENT_SIZES, instanceOf } from './definition.js';
export type {
  CellCoordinates,
  CellFilter,
  ExperimentDefinition,
  ExperimentGrid,
  GridExtension,
  ExperimentSize,
  MSpec,
  OptimizerChoice,
  ParamsStorage,
  RunSpec,
  StartSpec,
  WeightsChoice,
} from './definition.js';
export {
  cellKeyOf,
  expandGrid,
  groupKeyOf,
  groupRuns,
  inShard,
  matchesFilter,
  optimizerLabel,
  parseShard,
  resolveM,
  runIdOf,
  startLabel,
} from './grid.js';
export type { RunGroup, Shard } from './grid.js';
export {
  definitionFromGridFile,
  GRID_FILE_FORMAT,
  gridFileSchema,
  gridFileVersion,
  gridSchema,
  parseGridFile,
} from './grid-file.js';
export type { GridFile, GridFileInput } from './grid-file.js';
export { resultLineSchema, runSpecSchema } from './result-schema.js';
export { EXPERIMENT_NAMES, EXPERIMENTS, getExperiment } from './registry.js';
export {
  checkResultLine,
  compactHistory,
  compactParams,
  fullHistory,
  ANALYSIS_DIGITS,
  HISTORY_DIGITS,
  HISTORY_POINTS,
  PARAMS_DIGITS,
  parseResultLine,
  RESULT_FORMAT,
  RESULT_FORMAT_V1,
} from './result.js';
export type {
  CompactHistory,
  DisambiguationUse,
  ExactLoss,
  LossComponents,
  ResultLine,
  RunAnalysis,
  RunDetails,
  StartAnalysis,
} from './result.js';
export { divergedLine, groupConfig, okLine, runExperiment, trainRunGroup } from './runner.js';
export { startParams } from './start.js';
export { shareInterval, tQuantile975, wilsonInterval } from './stats.js';
export type { ShareInterval } from './stats.js';
export type { WilsonInterval } from './stats.js';
export type {
  ExperimentProgress,
  ExperimentRunReport,
  HistoryResolution,
  RunExperimentOptions,
  TrainFunction,
  TrainRunGroupOptions,
} from './runner.js';
export { memoryStore } from './store.js';
export type { MemoryStore, ResultStore } from './store.js';
export {
  AMBIGUITY_SE,
  CAPPED_LABEL,
  COORDINATES,
  dedupeResults,
  DIVERGED_LABEL,
  isAmbiguous,
  withinAmbiguity,
  labelOf,
  labelsOf,
  lossMethodOf,
  nameOf,
  reconstructionErrorOf,
  reconstructionOf,
  summarise,
  taxonomyOf,
  UNCLASSIFIED_LABEL,
} from './summary.js';
export type { CellSummary, CoordinateName, Stat, SummariseOptions } from './summary.js';
export { summaryTables } from './summary-table.js';
export type { SummaryTableOptions } from './summary-table.js';
