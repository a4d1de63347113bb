/**
 * The playground page: controls → config → training worker; live heat map and loss curve from
 * the worker's messages; the construction button and the run export.
 *
 * State for tests and users is on `<body data-state>`: loading → ready → training → done |
 * stopped | error.
 */
import type { LossRecord, ModelParams, RunRecord, TrainConfigInput } from '@polytoy/core';
import { deserializeParams } from '@polytoy/core';
import { drawHeatmap, drawPlaceholder } from './heatmap.js';
import { drawLossChart } from './loss-chart.js';
import type { FromWorker } from './protocol.js';
import type { Settings } from './settings.js';
import {
  constructionFor,
  DEFAULT_SETTINGS,
  parseSetting,
  settingsFromQuery,
  settingsToConfig,
  settingsToQuery,
} from './settings.js';
import { startTrainerWorker } from './worker-client.js';

type State = 'loading' | 'ready' | 'training' | 'done' | 'stopped' | 'error';

const $ = <T extends HTMLElement>(selector: string): T => {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`playground: missing element ${selector}`);
  return el;
};

const form = $<HTMLFormElement>('#controls');
const status = $<HTMLParagraphElement>('#status');
const progressText = $<HTMLParagraphElement>('#progress');
const progressBar = $<HTMLProgressElement>('#progress-bar');
const buttons = {
  train: $<HTMLButtonElement>('#train'),
  stop: $<HTMLButtonElement>('#stop'),
  construction: $<HTMLButtonElement>('#construction'),
  export: $<HTMLButtonElement>('#export'),
};
const heatmapCanvas = $<HTMLCanvasElement>('#heatmap');
const lossCanvas = $<HTMLCanvasElement>('#loss');

const field = (key: keyof Settings): HTMLInputElement | HTMLSelectElement => {
  const el = form.elements.namedItem(key);
  if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) throw new Error(`playground: missing control ${key}`);
  return el;
};
const KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[];

function writeForm(settings: Settings): void {
  for (const key of KEYS) field(key).value = String(settings[key]);
}

function readForm(): Settings {
  const out = { ...DEFAULT_SETTINGS } as Settings;
  for (const key of KEYS) (out as Record<keyof Settings, unknown>)[key] = parseSetting(key, field(key).value);
  return out;
}

let state: State = 'loading';
let runtimeLine = '';
let currentRun = 0;
let records: LossRecord[] = [];
let totalSteps = 1;
let shown: { params: ModelParams; caption: string } | null = null;
let lastRecord: RunRecord | null = null;
let renderPending = false;

/**
 * Updates between live heat-map snapshots: often enough for a smooth picture (the worker thins
 * them to 25 per second), rarely enough that reading the parameters back costs little.
 */
const snapshotEvery = (steps: number): number => Math.min(25, Math.max(1, Math.round(steps / 200)));

function setState(next: State, message?: string): void {
  state = next;
  document.body.dataset.state = next;
  buttons.train.disabled = next === 'loading' || next === 'training' || next === 'error';
  buttons.stop.disabled = next !== 'training';
  buttons.construction.disabled = next === 'training';
  buttons.export.disabled = lastRecord === null || next === 'training';
  if (message !== undefined) status.textContent = message;
  else if (runtimeLine) status.textContent = runtimeLine;
}

/** Draws at most once per animation frame, however fast the worker reports. */
function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    heatmapCanvas.dataset.caption = shown?.caption ?? '';
    if (shown) drawHeatmap(heatmapCanvas, shown.params, shown.caption);
    else drawPlaceholder(heatmapCanvas, 'The weights appear here once training starts (or press "Load construction").');
    drawLossChart(lossCanvas, records, totalSteps);
  });
}

function showError(error: { name: string; message: string }): void {
  setState(lastRecord ? 'done' : runtimeLine ? 'ready' : 'error', `${error.name}: ${error.message}`);
  if (!runtimeLine) setState('error', `${error.name}: ${error.message}`);
}

const worker = startTrainerWorker();
worker.ready.then(
  ({ runtime, inWorker }) => {
    runtimeLine =
      `backend ${runtime.backend} · SIMD ${runtime.simd ? 'on' : 'off'} · ${runtime.threads ? 'multi-threaded' : 'single-threaded'} · ` +
      `tfjs ${runtime.tfjsVersion} · ${inWorker ? 'training in a Web Worker' : 'training on the page'}`;
    status.dataset.backend = runtime.backend;
    status.dataset.simd = String(runtime.simd);
    status.dataset.worker = String(inWorker);
    setState('ready');
  },
  (error: Error) => setState('error', `${error.name}: ${error.message}`),
);

worker.listen((message: FromWorker) => {
  if (!('runId' in message) || message.runId !== currentRun) return;
  switch (message.type) {
    case 'progress': {
      progressBar.value = message.done / Math.max(1, message.total);
      progressText.dataset.done = String(message.done);
      progressText.textContent = `step ${message.done} / ${message.total}${message.loss !== undefined ? ` · loss ${message.loss.toPrecision(4)}` : ''}`;
      break;
    }
    case 'log':
      records.push(message.record);
      scheduleRender();
      break;
    case 'snapshot':
      shown = { params: message.params, caption: `step ${message.step}` };
      scheduleRender();
      break;
    case 'done': {
      lastRecord = message.record;
      const inst = message.record.instances[0]!;
      shown = {
        params: deserializeParams(inst.params),
        caption: `final (step ${totalSteps}) · loss ${inst.finalLoss.loss.toPrecision(4)}`,
      };
      scheduleRender();
      setState('done');
      progressText.textContent += ` · done in ${message.record.wallSeconds.toFixed(2)} s`;
      break;
    }
    case 'aborted':
      setState('stopped');
      progressText.textContent = `stopped after step ${message.step}`;
      break;
    case 'error':
      showError(message);
      break;
    default:
      break;
  }
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (state === 'training' || state === 'loading' || state === 'error') return;
  let settings: Settings;
  let config: TrainConfigInput;
  try {
    settings = readForm();
    config = settingsToConfig(settings);
  } catch (error) {
    status.textContent = `${(error as Error).name}: ${(error as Error).message}`;
    return;
  }
  history.replaceState(null, '', `?${settingsToQuery(settings).toString()}`);
  currentRun = worker.nextRunId();
  records = [];
  totalSteps = settings.steps;
  lastRecord = null;
  progressBar.value = 0;
  progressText.dataset.done = '0';
  progressText.textContent = 'starting…';
  setState('training');
  worker.send({ type: 'train', runId: currentRun, config, snapshotEvery: snapshotEvery(settings.steps) });
});

buttons.stop.addEventListener('click', () => {
  if (state === 'training') worker.send({ type: 'stop', runId: currentRun });
});

buttons.construction.addEventListener('click', () => {
  try {
    const settings = readForm();
    settings.m = Math.max(settings.m, settings.n / 2 + 1);
    settings.init = 'construction';
    writeForm(settings);
    const params = constructionFor(settings);
    shown = {
      params,
      caption: `same-sign construction (c = 1/2, eps = √(2/n)): zero reconstruction loss · n=${settings.n} m=${settings.m}`,
    };
    records = [];
    totalSteps = settings.steps;
    scheduleRender();
  } catch (error) {
    status.textContent = `${(error as Error).name}: ${(error as Error).message}`;
  }
});

buttons.export.addEventListener('click', () => {
  if (!lastRecord) return;
  const config = lastRecord.config as { seed?: number; data?: { n?: number }; model?: { m?: number } };
  const name = `polytoy-run-n${config.data?.n}-m${config.model?.m}-seed${config.seed}.json`;
  // The same bytes `polytoy train --out` writes (minus the CLI's `analysis.summary`).
  const blob = new Blob([`${JSON.stringify(lastRecord)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
});

try {
  writeForm(settingsFromQuery(new URLSearchParams(location.search)));
} catch (error) {
  writeForm({ ...DEFAULT_SETTINGS });
  status.textContent = `${(error as Error).name}: ${(error as Error).message}`;
}
scheduleRender();
