/**
 * Entry module of the worker threads `trainParallel` starts (`@polytoy/trainer/node`). Bundles
 * that cannot ship this file start workers from themselves instead; see `isTrainerWorker`.
 */
import { runTrainerWorker } from './worker.js';

await runTrainerWorker();
