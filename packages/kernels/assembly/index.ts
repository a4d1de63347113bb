// Entry point of the kernel module: everything exported here is a wasm export.
export { gemm, gemmBatched, gemmScratchBytes } from './gemm';
export { adam, addSignScaled, axpby, biasRelu, gatherRowSum, reluMaskGrad, scale, scatterRowAdd, sgd } from './elementwise';
