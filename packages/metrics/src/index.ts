export { analyzeModel } from './analyze.js';
export type { AnalyzeOptions, ModelMetrics, ViewReport } from './analyze.js';
export { featureAssignment } from './assignment.js';
export type { FeatureAssignment, FeatureNeurons, FeatureWeight, NeuronFeatures, NeuronWeight } from './assignment.js';
export { analyzeWeights, classifySolution, classifyWeights } from './classify.js';
export type {
  ClassificationEvidence,
  ClassifyOptions,
  NeuronKind,
  NeuronReport,
  SolutionClassification,
  SolutionLabel,
  WeightAnalysis,
} from './classify.js';
export { disambiguationStats, findDisambiguation, isDisambiguation } from './disambiguation.js';
export type { DisambiguationReport, DisambiguationStats, MirroredPair } from './disambiguation.js';
export { CONSTRUCTION_FAMILIES, constructionDistances, distanceToFamily } from './distance.js';
export type { ConstructionDistances, ConstructionFamily, DistanceOptions, FamilyFit } from './distance.js';
export { exactLossOf } from './exact-loss.js';
export type { ExactLoss, ExactLossModel } from './exact-loss.js';
export { classifyFunction, functionalMatrix } from './functional.js';
export type { FunctionalClassification, FunctionalFamily, FunctionalFit, FunctionalLabel } from './functional.js';
export { hungarian, maxAssignment } from './hungarian.js';
export type { Assignment } from './hungarian.js';
export { paperPolysemanticCount, paperPolysemanticCountOf } from './paper-count.js';
export type { PaperCount, PaperCountOptions } from './paper-count.js';
export { readRunMetrics } from './run-metrics.js';
export type { InstanceMetrics, ReadRunOptions, RunMetrics, RunSettings } from './run-metrics.js';
export { DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds.js';
export type { MetricThresholds } from './thresholds.js';
export { balancedViews, effectiveWeights, halfOf } from './views.js';
export type { Half } from './views.js';
