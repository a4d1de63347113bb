/**
 * All metrics of one model in one call: the classification (with its evidence), the
 * feature→neuron assignment of the encoder and of the decoder, the paper's polysemantic count
 * and the distances to the SPEC constructions.
 */
import type { ModelParams } from '@polytoy/core';
import { decoderRowsOf, encoderOf } from '@polytoy/core';
import type { FeatureAssignment } from './assignment.js';
import { featureAssignment } from './assignment.js';
import type { ClassifyOptions, SolutionClassification } from './classify.js';
import { classifySolution } from './classify.js';
import type { DisambiguationReport } from './disambiguation.js';
import { findDisambiguation } from './disambiguation.js';
import type { ConstructionDistances } from './distance.js';
import { constructionDistances } from './distance.js';
import type { FunctionalClassification } from './functional.js';
import { classifyFunction } from './functional.js';
import type { PaperCount, PaperCountOptions } from './paper-count.js';
import { paperPolysemanticCount } from './paper-count.js';
import { resolveThresholds } from './thresholds.js';

/** Assignment and disambiguation fit of one raw weight matrix (encoder or decoder rows). */
export interface ViewReport {
  assignment: FeatureAssignment;
  /** Its `c` assumes tied weights (`eps^2 n / 4` of this matrix alone); the functional c is the classification's. */
  disambiguation: DisambiguationReport;
}

export interface ModelMetrics {
  kind: 'tied' | 'untied';
  n: number;
  m: number;
  hiddenActivation: 'none' | 'relu';
  /** Per-neuron classification (reads the neuron basis). */
  classification: SolutionClassification;
  /**
   * What the model computes, from (WᵀW or D E, b): independent of rotations of the hidden space,
   * which a linear hidden layer cannot see. Null for a ReLU hidden layer (no such symmetry) or odd n.
   */
  functional: FunctionalClassification | null;
  /** Encoder rows E (tied: W). */
  encoder: ViewReport;
  /** Decoder as neuron rows Dᵀ (tied: W, the same object as `encoder`). */
  decoder: ViewReport;
  paper: PaperCount;
  /** Null when skipped or when n is odd (pairs need equal halves). */
  distances: ConstructionDistances | null;
}

export interface AnalyzeOptions extends ClassifyOptions {
  paper?: PaperCountOptions;
  /** Compute the construction distances (default true). */
  distances?: boolean;
  /** Passed to the distances: enumerate pairings while (n/2)! <= this (default 720). */
  exhaustiveLimit?: number;
}

function viewReport(w: ArrayLike<number>, p: ModelParams, options: AnalyzeOptions): ViewReport {
  const t = resolveThresholds(options.thresholds);
  return {
    assignment: featureAssignment(w, p.m, p.n, t.relativeThreshold, t.minWeight),
    disambiguation: findDisambiguation(w, p.m, p.n, p.b, options.hiddenActivation ?? 'none', t),
  };
}

/**
 * Computes every metric of a model.
 *
 * @param params - tied or untied parameters.
 * @param options - hidden activation (default 'none'), thresholds, paper band, distances on/off.
 * @example
 * const metrics = analyzeModel(params, { hiddenActivation: 'none' });
 * metrics.classification.label; // e.g. 'opposite-sign'
 * metrics.distances?.nearest;   // e.g. 'opposite-sign'
 */
export function analyzeModel(params: ModelParams, options: AnalyzeOptions = {}): ModelMetrics {
  const hiddenActivation = options.hiddenActivation ?? 'none';
  const encoder = viewReport(encoderOf(params), params, options);
  const decoder = params.kind === 'tied' ? encoder : viewReport(decoderRowsOf(params), params, options);
  const even = params.n % 2 === 0 && params.n >= 2;
  const distances =
    options.distances !== false && even
      ? constructionDistances(params, {
          hiddenActivation,
          ...(options.exhaustiveLimit !== undefined ? { exhaustiveLimit: options.exhaustiveLimit } : {}),
        })
      : null;
  return {
    kind: params.kind,
    n: params.n,
    m: params.m,
    hiddenActivation,
    classification: classifySolution(params, options),
    functional: hiddenActivation === 'none' && even ? classifyFunction(params, options.thresholds) : null,
    encoder,
    decoder,
    paper: paperPolysemanticCount(params, options.paper),
    distances,
  };
}
