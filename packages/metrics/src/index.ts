export { ANALYSIS_VERSION, analyseModel, summariseAnalysis } from './analyse-model.js';
export type {
  AnalyseModelOptions,
  AnalysisSettings,
  AnalysisSummary,
  EpsNeuronSummary,
  ModelAnalysis,
  SuperpositionSummary,
  TaxonomySummary,
} from './analyse-model.js';
export { featureAssignment } from './assignment.js';
export type { FeatureAssignment, FeatureNeurons, FeatureWeight, NeuronFeatures, NeuronWeight } from './assignment.js';
export { analyzeWeights, classifyNeurons, classifyWeights } from './classify.js';
export type {
  ClassificationEvidence,
  ClassifyOptions,
  NeuronKind,
  NeuronLevelLabel,
  NeuronReport,
  SolutionClassification,
  WeightAnalysis,
} from './classify.js';
export { disambiguationStats, findDisambiguation, isDisambiguation } from './disambiguation.js';
export type { DisambiguationReport, DisambiguationStats, MirroredPair } from './disambiguation.js';
export { CONSTRUCTION_FAMILIES, constructionDistances, distanceToFamily } from './distance.js';
export type { ConstructionDistances, ConstructionFamily, DistanceOptions, FamilyFit as NeuronFamilyFit } from './distance.js';
export { epsNeuronReport } from './eps-neuron.js';
export type { EpsNeuron, EpsNeuronReport } from './eps-neuron.js';
export { exactLossOf, MONTE_CARLO_SAMPLES, MONTE_CARLO_SEED, populationLossOf } from './exact-loss.js';
export type { ExactLoss, ExactLossModel, PopulationLossMethod, PopulationLossOptions } from './exact-loss.js';
export { FAMILY_NAMES, fitFamily, OutputCosts, spreadOf } from './families.js';
export type { FamilyFit, FamilyName, OutputMeasure, Spread, TemplateFit } from './families.js';
export { hungarian, maxAssignment } from './hungarian.js';
export type { Assignment } from './hungarian.js';
export {
  OUTPUT_CODES,
  OUTPUT_MECHANISM_DEFINITIONS,
  OUTPUT_MECHANISMS,
  SOLUTION_LABEL_DEFINITIONS,
  SOLUTION_LABELS,
} from './labels.js';
export type { OutputMechanism, SolutionLabel } from './labels.js';
export { paperPolysemanticCount, paperPolysemanticCountOf } from './paper-count.js';
export type { PaperCount, PaperCountOptions } from './paper-count.js';
export { readRunMetrics } from './run-metrics.js';
export type { InstanceMetrics, ReadRunOptions, RunMetrics, RunSettings } from './run-metrics.js';
export { superpositionView } from './superposition.js';
export type { SuperpositionView } from './superposition.js';
export { functionalMatrix, SUPPORT_SAMPLES, supportMap, supportMoments } from './support-map.js';
export type { SupportMap } from './support-map.js';
export { classifyFunction } from './taxonomy.js';
export type {
  FamilyReport,
  FunctionClassification,
  OutputReading,
  SameSignForm,
  Structure,
  TaxonomyOptions,
} from './taxonomy.js';
export { DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds.js';
export type { MetricThresholds } from './thresholds.js';
export { balancedViews, effectiveWeights, halfOf } from './views.js';
export type { Half } from './views.js';
