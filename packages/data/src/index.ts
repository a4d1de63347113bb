export { basisBatch } from './basis.js';
export {
  assertHalfSplitN,
  binomial,
  enumerateHalfSplitSupport,
  halfSplitBatch,
  halfSplitSupportSize,
  MAX_ENUMERABLE_N,
} from './half-split.js';
export type { Support } from './half-split.js';
export { importanceWeights, sparseUniformBatch } from './sparse-uniform.js';
export { createDataSource } from './source.js';
export type { DataSource } from './source.js';
