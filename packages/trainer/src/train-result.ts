/**
 * The last phase of a training run: its instances' end states turned into the result's
 * instance list (converged or capped, with parameters) and diverged list.
 */
import type { DivergedInstance, InstanceResult, InstanceSpec, LossRecord, ModelParams, TrainResult } from '@polytoy/core';
import type { InstanceState } from './checkpoint.js';

/** What each instance ended with. */
export interface InstanceEnds {
  /** The instances' specs (seed, lambda, lr). */
  specs: readonly InstanceSpec[];
  /** End states: converged, diverged, or still training (then capped at `end`). */
  states: readonly InstanceState[];
  /** Logged records per instance. */
  history: readonly LossRecord[][];
  /** Final parameters of every instance that did not diverge. */
  params: readonly (ModelParams | null)[];
  /** Evaluation records of the capped instances, by instance. */
  cappedLoss: ReadonlyMap<number, LossRecord>;
  /** The step the run stopped at. */
  end: number;
}

/** The instances and diverged lists of a run's result, and how many steps it ran. */
export function collectInstanceResults(e: InstanceEnds): Pick<TrainResult, 'instances' | 'diverged' | 'stepsRun'> {
  const instances: InstanceResult[] = [];
  const diverged: DivergedInstance[] = [];
  let stepsRun = 0;
  e.specs.forEach((spec, i) => {
    const st = e.states[i]!;
    const base = { instance: i, seed: spec.seed, lambda: spec.lambda, lr: spec.lr };
    if (st.status === 'diverged') {
      diverged.push({
        ...base,
        status: 'diverged',
        step: st.step,
        reason: st.reason,
        message: st.message,
        history: e.history[i]!,
      });
      stepsRun = Math.max(stepsRun, st.step);
      return;
    }
    const finalLoss = st.status === 'converged' ? st.finalLoss : e.cappedLoss.get(i)!;
    const status = st.status === 'converged' ? 'converged' : 'capped';
    const at = st.status === 'converged' ? st.step : e.end;
    stepsRun = Math.max(stepsRun, at);
    instances.push({ ...base, status, step: at, params: e.params[i]!, finalLoss, history: [...e.history[i]!, finalLoss] });
  });
  return { instances, diverged, stepsRun };
}
