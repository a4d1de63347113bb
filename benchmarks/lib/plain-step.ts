/**
 * The comparison point "plain TypeScript": the same training step (tied model, output ReLU with
 * optional bias, L1 on activations or weights, Adam/AdamW) as straightforward loops over
 * Float32Arrays, written with cache-friendly loop orders (rows of W are contiguous in the inner
 * loops), one instance after the other. Sums run in float64, values are stored as float32.
 */
import type { TrainConfig } from '@polytoy/core';

export class PlainTiedStep {
  private readonly W: Float32Array[];
  private readonly b: Float32Array[];
  private readonly mW: Float32Array[];
  private readonly vW: Float32Array[];
  private readonly mb: Float32Array[];
  private readonly vb: Float32Array[];
  private readonly h: Float32Array;
  private readonly dz: Float32Array;
  private readonly dh: Float32Array;
  private readonly gW: Float32Array;
  private readonly gb: Float32Array;
  private t = 0;

  constructor(
    private readonly config: TrainConfig,
    params: { W: Float32Array; b: Float32Array }[],
  ) {
    const { n, m } = config.model;
    const B = config.batchSize;
    this.W = params.map((p) => p.W.slice());
    this.b = params.map((p) => p.b.slice());
    this.mW = params.map(() => new Float32Array(m * n));
    this.vW = params.map(() => new Float32Array(m * n));
    this.mb = params.map(() => new Float32Array(n));
    this.vb = params.map(() => new Float32Array(n));
    this.h = new Float32Array(B * m);
    this.dz = new Float32Array(B * n);
    this.dh = new Float32Array(B * m);
    this.gW = new Float32Array(m * n);
    this.gb = new Float32Array(n);
  }

  /** One update of every instance on x [I, B, n]; returns the per-instance losses. */
  step(x: Float32Array, lr: number): Float64Array {
    const { config } = this;
    const { model, instances } = config;
    const { n, m } = model;
    const B = config.batchSize;
    const { h, dz, dh, gW, gb } = this;
    const relu = model.outputActivation === 'relu';
    const bias = model.outputBias;
    const activationL1 = model.l1.target === 'activations';
    const losses = new Float64Array(instances.length);
    this.t += 1;
    for (let inst = 0; inst < instances.length; inst++) {
      const W = this.W[inst]!;
      const b = this.b[inst]!;
      const lambda = instances[inst]!.lambda;
      const xo = inst * B * n;
      let rec = 0;
      let l1 = 0;
      gW.fill(0);
      gb.fill(0);
      for (let s = 0; s < B; s++) {
        const xs = xo + s * n;
        // h = W x
        for (let j = 0; j < m; j++) {
          let a = 0;
          const wo = j * n;
          for (let i = 0; i < n; i++) a += W[wo + i]! * x[xs + i]!;
          h[s * m + j] = a;
          l1 += Math.abs(a);
        }
        // z = Wᵀ h + b, y = ReLU(z), dz
        const zo = s * n;
        for (let i = 0; i < n; i++) dz[zo + i] = bias ? b[i]! : 0;
        for (let j = 0; j < m; j++) {
          const hj = h[s * m + j]!;
          const wo = j * n;
          for (let i = 0; i < n; i++) dz[zo + i] = dz[zo + i]! + hj * W[wo + i]!;
        }
        for (let i = 0; i < n; i++) {
          const z = dz[zo + i]!;
          const y = relu && z < 0 ? 0 : z;
          const d = y - x[xs + i]!;
          rec += d * d;
          const g = relu && !(z > 0) ? 0 : (2 * d) / B;
          dz[zo + i] = g;
          gb[i] = gb[i]! + g;
        }
        // dh = W dz + lambda sign(h) / B; dW += h dzᵀ + dh xᵀ
        for (let j = 0; j < m; j++) {
          let a = 0;
          const wo = j * n;
          for (let i = 0; i < n; i++) a += W[wo + i]! * dz[zo + i]!;
          const hj = h[s * m + j]!;
          if (activationL1) a += (lambda * Math.sign(hj)) / B;
          dh[s * m + j] = a;
          for (let i = 0; i < n; i++) gW[wo + i] = gW[wo + i]! + hj * dz[zo + i]! + a * x[xs + i]!;
        }
      }
      if (!activationL1) {
        l1 = 0;
        for (let k = 0; k < m * n; k++) {
          l1 += Math.abs(W[k]!);
          gW[k] = gW[k]! + lambda * Math.sign(W[k]!);
        }
      } else l1 /= B;
      losses[inst] = rec / B + lambda * l1;
      this.adam(W, gW, this.mW[inst]!, this.vW[inst]!, lr, true);
      if (bias) this.adam(b, gb, this.mb[inst]!, this.vb[inst]!, lr, false);
    }
    return losses;
  }

  private adam(p: Float32Array, g: Float32Array, mo: Float32Array, vo: Float32Array, lr: number, decayed: boolean): void {
    const opt = this.config.optimizer;
    if (opt.kind === 'sgd') throw new Error('plain step: Adam/AdamW only');
    const { beta1, beta2, epsilon } = opt;
    const c1 = lr / (1 - beta1 ** this.t);
    const c2 = 1 / Math.sqrt(1 - beta2 ** this.t);
    const decay = opt.kind === 'adamw' && decayed ? 1 - lr * opt.weightDecay : 1;
    for (let k = 0; k < p.length; k++) {
      const gk = g[k]!;
      const mk = beta1 * mo[k]! + (1 - beta1) * gk;
      const vk = beta2 * vo[k]! + (1 - beta2) * gk * gk;
      mo[k] = mk;
      vo[k] = vk;
      p[k] = p[k]! * decay - (c1 * mk) / (Math.sqrt(vk) * c2 + epsilon);
    }
  }
}
