/**
 * Feature → neuron assignment: which neurons each feature is written on, and with what weight.
 */
import type { Half } from './views.js';
import { halfOf } from './views.js';

export interface NeuronWeight {
  neuron: number;
  weight: number;
}

export interface FeatureWeight {
  feature: number;
  weight: number;
}

/** One feature's column of the weight matrix, summarised. */
export interface FeatureNeurons {
  feature: number;
  half: Half;
  /** Largest |weight| over all neurons. */
  maxAbs: number;
  /** Neurons the feature is written on (see {@link featureAssignment}), largest |weight| first. */
  neurons: NeuronWeight[];
  /** The neuron with the largest |weight| (lowest index on ties); null for an all-zero column. */
  dominant: { neuron: number; weight: number; sign: 1 | -1 } | null;
}

/** One neuron's row: the features written on it, largest |weight| first. */
export interface NeuronFeatures {
  neuron: number;
  features: FeatureWeight[];
}

export interface FeatureAssignment {
  n: number;
  m: number;
  relativeThreshold: number;
  minWeight: number;
  features: FeatureNeurons[];
  neurons: NeuronFeatures[];
}

/**
 * Assigns features to neurons. Rule: feature i is written on neuron j iff
 * `|w[j,i]| >= max(minWeight, relativeThreshold * max_j' |w[j',i]|)`.
 *
 * @param w - [m, n] row-major weights (a neuron per row; tied W, an encoder, decoder rows, or
 *   effective weights).
 * @param m - neurons.
 * @param n - features.
 * @param relativeThreshold - fraction of the feature's largest |weight| (default 0.5).
 * @param minWeight - absolute floor (default 0.05).
 * @example
 * featureAssignment(Float64Array.of(1, 0.2, 0, 0.9), 2, 2).features[1]!.neurons; // [{ neuron: 1, weight: 0.9 }]
 */
export function featureAssignment(
  w: ArrayLike<number>,
  m: number,
  n: number,
  relativeThreshold = 0.5,
  minWeight = 0.05,
): FeatureAssignment {
  const neurons: NeuronFeatures[] = Array.from({ length: m }, (_, j) => ({ neuron: j, features: [] }));
  const features: FeatureNeurons[] = [];
  for (let i = 0; i < n; i++) {
    let maxAbs = 0;
    let arg = -1;
    for (let j = 0; j < m; j++) {
      const a = Math.abs(w[j * n + i]!);
      if (a > maxAbs) {
        maxAbs = a;
        arg = j;
      }
    }
    const cut = Math.max(minWeight, relativeThreshold * maxAbs);
    const on: NeuronWeight[] = [];
    if (maxAbs > 0) {
      for (let j = 0; j < m; j++) {
        const weight = w[j * n + i]!;
        if (Math.abs(weight) >= cut) {
          on.push({ neuron: j, weight });
          neurons[j]!.features.push({ feature: i, weight });
        }
      }
    }
    on.sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight) || x.neuron - y.neuron);
    const dw = arg >= 0 ? w[arg * n + i]! : 0;
    features.push({
      feature: i,
      half: halfOf(i, n),
      maxAbs,
      neurons: on,
      dominant: arg >= 0 ? { neuron: arg, weight: dw, sign: dw > 0 ? 1 : -1 } : null,
    });
  }
  for (const nf of neurons) nf.features.sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight) || x.feature - y.feature);
  return { n, m, relativeThreshold, minWeight, features, neurons };
}
