export { gemmMatMul, planBatchMatMul } from './gemm.js';
export type { GemmOptions, MatMulPlan } from './gemm.js';
export { addL1SignGrad, adamUpdate, biasRelu, reluMaskGrad, sgdUpdate } from './fused.js';
export type { AdamUpdateOptions, SgdUpdateOptions } from './fused.js';
export {
  getPolytoyKernelStats,
  isPolytoyKernelsRegistered,
  registerPolytoyKernels,
  unregisterPolytoyKernels,
} from './register.js';
export type { PolytoyKernelStats } from './register.js';
export { kernelBinary, kernelsFor, preloadPolytoyKernels } from './kernel-module.js';
export type { KernelExports, KernelVariant } from './kernel-module.js';
