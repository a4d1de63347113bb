/**
 * What an optimizer is, as one table row: its slot names (the per-parameter state, which is also
 * what a checkpoint stores), its update on tfjs tensors, and its update in place on the wasm heap.
 * Every engine, the checkpoint code and the config read optimizers only through
 * {@link optimizerDefinition} (`registry.ts`), so adding one means one file plus one registry entry.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { KernelExports } from '@polytoy/kernels';

/** The fields every optimizer config has; a definition's own config type extends it. */
export interface OptimizerSettings {
  readonly kind: string;
  /** The base learning rate (engines pass the scheduled per-instance rates separately). */
  readonly lr: number;
}

/** What {@link OptimizerDefinition.tfjsUpdate} gets for one parameter tensor [I, …]. */
export interface TfjsUpdateInput<C extends OptimizerSettings> {
  readonly config: C;
  /** The parameter, leading dimension I. */
  readonly param: tf.Tensor;
  /** Its gradient, same shape. */
  readonly grad: tf.Tensor;
  /** The current slot tensors of this parameter, by slot name. */
  readonly slots: Readonly<Record<string, tf.Tensor>>;
  /** The 1-based update count (bias corrections). */
  readonly t: number;
  /** Whether decoupled weight decay applies to this parameter (weights yes, the bias b no). */
  readonly decayed: boolean;
  /**
   * A float32 tensor [I, 1, …, 1] (broadcastable against `param`) holding `f(lr_i)` per instance,
   * computed in float64 before rounding so instance i's value does not depend on the others.
   * Cached per `key` within one update.
   */
  perInstance(key: string, f: (lr: number) => number): tf.Tensor;
}

/** The result of a tfjs update: the new parameter and the new slot tensors (inside `tf.tidy`). */
export interface TfjsUpdateOutput {
  readonly param: tf.Tensor;
  readonly slots: Readonly<Record<string, tf.Tensor>>;
}

/** What {@link OptimizerDefinition.inPlaceUpdate} gets: one instance's range of one parameter. */
export interface InPlaceUpdateInput<C extends OptimizerSettings> {
  readonly config: C;
  /** The polytoy kernels bound to the heap. */
  readonly kernels: KernelExports;
  /** A float32 view of the whole heap (for updates written in JS). */
  heap(): Float32Array;
  /** Byte offsets of the parameter range, its gradient, and each slot's range (by slot name). */
  readonly param: number;
  readonly grad: number;
  readonly slots: Readonly<Record<string, number>>;
  /** Floats in the range. */
  readonly len: number;
  /** This instance's scheduled learning rate. */
  readonly lr: number;
  readonly t: number;
  readonly decayed: boolean;
}

/** One optimizer: a row of the table. */
export interface OptimizerDefinition<C extends OptimizerSettings = OptimizerSettings> {
  readonly kind: C['kind'];
  /** The slot names kept per parameter (zeros at the start; saved in checkpoints). */
  slotNames(config: C): readonly string[];
  /** One update of one parameter on tfjs ops (called inside `tf.tidy`). */
  tfjsUpdate(input: TfjsUpdateInput<C>): TfjsUpdateOutput;
  /** The same update in place on the heap (the fused engines). */
  inPlaceUpdate(input: InPlaceUpdateInput<C>): void;
}
