export { flattenParams, parameterName, toFloat32Params, toFloat64Params, unflattenParams } from './params64.js';
export type { AnyParams, ParamsF64, TiedParamsF64, UntiedParamsF64 } from './params64.js';
export {
  absenceCodedConstruction,
  absenceCodedConstructionF64,
  constructionLayout,
  mixedConstruction,
  mixedConstructionF64,
  NEURON_BOUND_EXPLANATION,
  oppositeSignConstruction,
  oppositeSignConstructionF64,
  reluTwoNeuronConstruction,
  reluTwoNeuronConstructionF64,
  rotatedConstruction,
  rotatedConstructionF64,
  sameSignConstruction,
  sameSignConstructionF64,
  untiedCounterpart,
} from './construction.js';
export type { ConstructionKind, ConstructionLayout, ConstructionOptions, PairSlot, RotationBasis } from './construction.js';
export {
  evaluatePopulation,
  exactPopulationGradient,
  exactPopulationLoss,
  forwardPass,
  MAX_EXACT_N,
  monteCarloPopulationLoss,
} from './population-loss.js';
export type {
  ActivationPattern,
  EvaluateOptions,
  Evaluation,
  ForwardPass,
  ModelOptions,
  ParamGradient,
  MonteCarloLoss,
  PopulationLoss,
} from './population-loss.js';
export type { SampleSet } from './support.js';
export {
  oppositeSignFamilyParams,
  oppositeSignRelaxed,
  reducedLoss,
  reducedOptimum,
  sameSignFamilyLoss,
  symmetricFamilyLoss,
  symmetricFamilyParams,
  symmetricOptimum,
} from './reduced.js';
export type { OppositeSignRelaxed, ReducedOptimum, SymmetricLayout, SymmetricOptimum, SymmetricPoint } from './reduced.js';
export { goldenSection, nelderMead } from './minimize.js';
export { symmetricEigen } from './jacobi.js';
export type { SymmetricEigen } from './jacobi.js';
export { localAnalysis } from './local-analysis.js';
export type { LocalAnalysis, LocalAnalysisOptions, LocalVerdict, NamedValue } from './local-analysis.js';
export { gradientFlow } from './gradient-flow.js';
export type { FlowOptions, FlowResult, FlowTracePoint } from './gradient-flow.js';
export { describeStructure, neuronShape } from './structure.js';
export type { NeuronShape, Range, StructureSummary } from './structure.js';
export { normalizeDecoderColumns, rescaleUntied, untiedDegeneracy } from './untied.js';
export type { DegeneracyRow } from './untied.js';
export { expectedPolysemanticCount, sparsificationFixedPoint, sparsificationOde } from './theory.js';
export type { SparsificationOdeOptions } from './theory.js';
export { constructionsTable } from './constructions-table.js';
export type { ConstructionRow } from './constructions-table.js';
export { analyzeConstruction, stabilityStudy } from './analysis.js';
export type { AnalysisOptions, AnalysisReport, FlowSummary, LocalAnalysisSummary, StabilityRow } from './analysis.js';
export { modelOptionsOf } from './model-options.js';
export type { LossModelConfig } from './model-options.js';
