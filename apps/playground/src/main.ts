/**
 * The playground page: controls for every model option, training in a Web Worker (paced so a
 * run can be watched), one card per instance with the live heat map (W with b, WᵀW beside it)
 * and the family readout (analysed in a second worker), a constant-cost loss chart, loading a
 * run.json (drop it on the page) and exporting one.
 */
import type { LossRecord, ModelParams, RunRecord, TrainConfigInput } from '@polytoy/core';
import { deserializeParams } from '@polytoy/core';
import { seriesStyles } from '@polytoy/viz';
import { drawHeatmap, drawPlaceholder } from './heatmap.js';
import { DecimatedHistory } from './history.js';
import { drawLossChart } from './loss-chart.js';
import type { FromWorker } from './protocol.js';
import type { Readout, ReadoutContext } from './readout.js';
import { startReadoutWorker } from './readout-client.js';
import { loadRunFile } from './run-file.js';
import type { Settings } from './settings.js';
import {
  constructionFor,
  DEFAULT_SETTINGS,
  describeSettings,
  MAX_INSTANCES,
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
const subtitle = $<HTMLParagraphElement>('#subtitle');
const progressText = $<HTMLParagraphElement>('#progress');
const progressBar = $<HTMLProgressElement>('#progress-bar');
const buttons = {
  train: $<HTMLButtonElement>('#train'),
  stop: $<HTMLButtonElement>('#stop'),
  construction: $<HTMLButtonElement>('#construction'),
  export: $<HTMLButtonElement>('#export'),
};
const fileInput = $<HTMLInputElement>('#load-file');
const lossCanvas = $<HTMLCanvasElement>('#loss');
const lossLegend = $<HTMLElement>('#loss-legend');
const cardsEl = $<HTMLDivElement>('#instances');

const field = (key: keyof Settings): HTMLInputElement | HTMLSelectElement => {
  const el = form.elements.namedItem(key);
  if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) throw new Error(`playground: missing control ${key}`);
  return el;
};
const KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[];

function writeForm(settings: Settings): void {
  for (const key of KEYS) field(key).value = String(settings[key]);
  updateForm();
}

function readForm(): Settings {
  const out = { ...DEFAULT_SETTINGS } as Settings;
  for (const key of KEYS) (out as Record<keyof Settings, unknown>)[key] = parseSetting(key, field(key).value);
  return out;
}

/** Shows only the controls that apply (density for sparse data, momentum for SGD, …) and says what is selected. */
function updateForm(): void {
  const value = (k: keyof Settings) => field(k).value;
  const shown: Record<string, boolean> = {
    'sparse-uniform': value('data') === 'sparse-uniform',
    untied: value('weights') === 'untied',
    noise: value('noise') !== 'none',
    sgd: value('optimizer') === 'sgd',
    adamw: value('optimizer') === 'adamw',
  };
  form.querySelectorAll<HTMLElement>('[data-show]').forEach((el) => {
    el.hidden = !shown[el.dataset.show!];
  });
  form.querySelectorAll<HTMLElement>('[data-hide]').forEach((el) => {
    el.hidden = value('data') === el.dataset.hide;
  });
  try {
    const d = describeSettings(readForm());
    subtitle.textContent = `${d.model}, on ${d.data}; ${d.training}.`;
  } catch {
    // A half-typed number: keep the last description.
  }
}

/** One instance's card. */
interface Card {
  root: HTMLElement;
  title: HTMLElement;
  readout: HTMLElement;
  detail: HTMLElement;
  canvas: HTMLCanvasElement;
  caption: HTMLElement;
}

let state: State = 'loading';
let runtimeLine = '';
let currentRun = 0;
let histories: DecimatedHistory[] = [];
let totalSteps = 1;
/** What the cards show: every instance's parameters, a caption per instance, and the step. */
let shown: { params: ModelParams[]; captions: string[]; step: number } | null = null;
let readouts: (Readout | null)[] = [];
let readoutError = '';
/** The step the readouts were computed at (for tests: `data-step`). */
let readoutStep = -1;
let context: ReadoutContext = { data: 'half-split', hidden: 'none' };
let cards: Card[] = [];
let lastRecord: RunRecord | null = null;
let renderPending = false;
let heatmapsDirty = true;
let lastReadoutAt = -Infinity;

const styles = seriesStyles(MAX_INSTANCES);

function makeCards(count: number, seeds: readonly number[]): void {
  cardsEl.replaceChildren();
  cardsEl.style.setProperty('--columns', String(count === 1 ? 1 : count <= 4 ? 2 : 3));
  cards = Array.from({ length: count }, (_, k) => {
    const root = document.createElement('article');
    root.className = 'instance';
    root.dataset.instance = String(k);
    const title = document.createElement('h2');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = styles[k]!.colour;
    title.append(swatch, document.createTextNode(`instance ${k + 1} · seed ${seeds[k] ?? k}`));
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.id = `readout-${k}`;
    const detail = document.createElement('p');
    detail.className = 'detail';
    const canvas = document.createElement('canvas');
    canvas.id = `heatmap-${k}`;
    canvas.className = 'heatmap';
    const caption = document.createElement('p');
    caption.className = 'caption';
    root.append(title, readout, detail, canvas, caption);
    cardsEl.append(root);
    return { root, title, readout, detail, canvas, caption };
  });
  readouts = Array.from({ length: count }, () => null);
  heatmapsDirty = true;
}

function legendHtml(count: number): void {
  lossLegend.replaceChildren(
    document.createTextNode('Loss per logged step, log scale: solid total loss, dashed reconstruction.'),
  );
  if (count <= 1) return;
  for (let k = 0; k < count; k++) {
    const swatch = document.createElement('span');
    swatch.className = 'legend-swatch';
    swatch.style.background = styles[k]!.colour;
    lossLegend.append(swatch, document.createTextNode(`instance ${k + 1}`));
  }
}

function setState(next: State, message?: string): void {
  state = next;
  document.body.dataset.state = next;
  buttons.train.disabled = next === 'loading' || next === 'training' || next === 'error';
  buttons.stop.disabled = next !== 'training';
  buttons.construction.disabled = next === 'training';
  buttons.export.disabled = lastRecord === null || next === 'training';
  status.classList.remove('error');
  if (message !== undefined) status.textContent = message;
  else if (runtimeLine) status.textContent = runtimeLine;
}

/** A one-line error in the status line (the state stays as it is). */
function showError(message: string): void {
  status.textContent = message;
  status.classList.add('error');
}

const fmt = (x: number | null, digits = 3) => (x === null || !Number.isFinite(x) ? '—' : String(Number(x.toPrecision(digits))));

function writeReadout(card: Card, r: Readout | null): void {
  card.readout.replaceChildren();
  if (!r) {
    card.readout.textContent = readoutError || 'reading the model…';
    card.detail.textContent = '';
    delete card.readout.dataset.family;
    return;
  }
  const family = document.createElement('span');
  family.className = 'family';
  family.textContent = r.family;
  const near = r.nearest !== null ? ` · nearest construction: ${r.nearest}, distance ${fmt(r.distance)}` : '';
  const eps = r.epsNeurons.length
    ? ` · ±eps neuron${r.epsNeurons.length > 1 ? 's' : ''} ${r.epsNeurons.join(', ')} (c = ${fmt(r.c)}, bias mean ${fmt(r.biasMean)})`
    : context.data === 'half-split'
      ? ' · no ±eps neuron'
      : '';
  card.readout.append(family, document.createTextNode(`${near}${eps}`));
  card.readout.dataset.family = r.family;
  card.readout.dataset.distance = r.distance === null ? '' : String(r.distance);
  card.readout.dataset.eps = r.epsNeurons.join(',');
  card.readout.dataset.step = String(readoutStep);
  card.detail.textContent = r.detail;
}

/** Draws at most once per animation frame, however fast the workers report. */
function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    if (heatmapsDirty) {
      heatmapsDirty = false;
      cards.forEach((card, k) => {
        const width = card.root.clientWidth - 22;
        const params = shown?.params[k];
        if (params) {
          drawHeatmap(card.canvas, params, readouts[k]?.epsNeurons ?? [], width);
          const caption = shown!.captions[k] ?? shown!.captions[0] ?? '';
          card.canvas.dataset.caption = caption;
          card.caption.textContent = caption;
        } else {
          drawPlaceholder(
            card.canvas,
            'The weights appear here once training starts (or load a construction or a run.json).',
            width,
          );
          card.canvas.dataset.caption = '';
          card.caption.textContent = '';
        }
        writeReadout(card, params ? (readouts[k] ?? null) : null);
        if (!params) card.readout.textContent = '';
      });
    }
    lossCanvas.width = Math.max(300, Math.floor(lossCanvas.parentElement!.clientWidth - 2));
    drawLossChart(
      lossCanvas,
      histories.map((h) => h.points()),
      totalSteps,
      styles,
    );
  });
}

const readout = startReadoutWorker((result, tag) => {
  if (tag.run !== currentRun || !shown) return;
  if (typeof result === 'string') {
    readoutError = result;
    readouts = readouts.map(() => null);
  } else {
    readoutError = '';
    readouts = result;
  }
  readoutStep = tag.step;
  heatmapsDirty = true;
  scheduleRender();
});

/** Asks for the readouts of what is shown (throttled while training: the worker keeps only the newest). */
function requestReadout(force = false): void {
  if (!shown) return;
  const now = performance.now();
  if (!force && now - lastReadoutAt < 250) return;
  lastReadoutAt = now;
  readout.read(shown.params, context, { run: currentRun, step: shown.step });
}

function show(params: ModelParams[], captions: string | string[], step: number, force = false): void {
  shown = { params, captions: typeof captions === 'string' ? [captions] : captions, step };
  heatmapsDirty = true;
  requestReadout(force);
  scheduleRender();
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
      histories[message.record.instance]?.push(message.record);
      scheduleRender();
      break;
    case 'snapshot':
      show(message.params, `step ${message.step}`, message.step);
      break;
    case 'done': {
      lastRecord = message.record;
      const params = message.record.instances.map((inst) => deserializeParams(inst.params));
      const captions = message.record.instances.map(
        (inst) =>
          `final (step ${totalSteps}) · loss ${inst.finalLoss.loss.toPrecision(4)} · reconstruction ${inst.finalLoss.reconstruction.toPrecision(3)}`,
      );
      show(params, captions, totalSteps, true);
      setState('done');
      progressText.textContent += ` · done in ${message.record.wallSeconds.toFixed(2)} s`;
      break;
    }
    case 'aborted':
      setState('stopped');
      progressText.textContent = `stopped after step ${message.step}`;
      requestReadout(true);
      break;
    case 'error':
      setState(lastRecord ? 'done' : runtimeLine ? 'ready' : 'error', `${message.name}: ${message.message}`);
      break;
    default:
      break;
  }
});

/** Updates between live snapshots: often enough to watch, paced runs more often (the worker thins them). */
const snapshotEvery = (s: Settings): number =>
  s.pace > 0 ? Math.max(1, Math.min(25, Math.round(s.pace / 50))) : Math.min(25, Math.max(1, Math.round(s.steps / 200)));

function contextOf(s: Settings): ReadoutContext {
  return { data: s.data, hidden: s.hidden };
}

form.addEventListener('input', updateForm);
form.addEventListener('change', updateForm);

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (state === 'training' || state === 'loading' || state === 'error') return;
  let settings: Settings;
  let config: TrainConfigInput;
  try {
    settings = readForm();
    config = settingsToConfig(settings);
  } catch (error) {
    showError(`${(error as Error).name}: ${(error as Error).message}`);
    return;
  }
  history.replaceState(null, '', `?${settingsToQuery(settings).toString()}`);
  currentRun = worker.nextRunId();
  histories = Array.from({ length: settings.instances }, () => new DecimatedHistory());
  totalSteps = settings.steps;
  lastRecord = null;
  shown = null;
  context = contextOf(settings);
  makeCards(
    settings.instances,
    Array.from({ length: settings.instances }, (_, k) => settings.seed + k),
  );
  legendHtml(settings.instances);
  progressBar.value = 0;
  progressText.dataset.done = '0';
  progressText.textContent = 'starting…';
  setState('training');
  scheduleRender();
  worker.send({ type: 'train', runId: currentRun, config, snapshotEvery: snapshotEvery(settings), pace: settings.pace });
});

buttons.stop.addEventListener('click', () => {
  if (state === 'training') worker.send({ type: 'stop', runId: currentRun });
});

buttons.construction.addEventListener('click', () => {
  try {
    const settings = readForm();
    settings.m = Math.max(settings.m, settings.n / 2 + 1);
    settings.init = 'construction';
    settings.data = 'half-split';
    writeForm(settings);
    currentRun = worker.nextRunId();
    context = contextOf(settings);
    makeCards(1, [settings.seed]);
    legendHtml(1);
    histories = [];
    totalSteps = settings.steps;
    show(
      [constructionFor(settings)],
      `same-sign construction (c = 1/2, eps = √(2/n)): zero reconstruction loss · n=${settings.n} m=${settings.m}`,
      0,
      true,
    );
  } catch (error) {
    showError(`${(error as Error).name}: ${(error as Error).message}`);
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

/** Shows a run file: its settings in the controls, each instance's final weights, its loss histories. */
async function openFile(file: File): Promise<void> {
  if (state === 'training') {
    showError('PolytoyError: stop the run before loading a file');
    return;
  }
  try {
    const loaded = loadRunFile(await file.text(), file.name);
    writeForm(loaded.settings);
    currentRun = worker.nextRunId();
    lastRecord = loaded.record;
    context = contextOf(loaded.settings);
    const seeds = loaded.record.instances.map((inst, k) =>
      typeof inst.seed === 'number' ? inst.seed : loaded.settings.seed + k,
    );
    makeCards(loaded.params.length, seeds);
    legendHtml(loaded.params.length);
    histories = loaded.record.instances.map((inst) => {
      const h = new DecimatedHistory();
      for (const r of Array.isArray(inst.history) ? (inst.history as LossRecord[]) : []) h.push(r);
      return h;
    });
    const last = histories.reduce((a, h) => Math.max(a, h.points().at(-1)?.step ?? 0), 0);
    totalSteps = Math.max(1, last);
    show(loaded.params, `loaded from ${file.name}`, last, true);
    setState(
      runtimeLine ? 'done' : state,
      `loaded ${file.name}: ${loaded.params.length} instance(s), n=${loaded.params[0]!.n} m=${loaded.params[0]!.m}`,
    );
    progressText.textContent = '';
  } catch (error) {
    showError(`${(error as Error).name}: ${(error as Error).message}`);
  }
}

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void openFile(file);
  fileInput.value = '';
});
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (event) => {
  if (event.relatedTarget === null) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (event) => {
  event.preventDefault();
  document.body.classList.remove('dragging');
  const file = event.dataTransfer?.files[0];
  if (file) void openFile(file);
});
window.addEventListener('resize', () => {
  heatmapsDirty = true;
  scheduleRender();
});

try {
  writeForm(settingsFromQuery(new URLSearchParams(location.search)));
} catch (error) {
  writeForm({ ...DEFAULT_SETTINGS });
  showError(`${(error as Error).name}: ${(error as Error).message}`);
}
{
  const s = readForm();
  context = contextOf(s);
  totalSteps = s.steps;
  makeCards(
    s.instances,
    Array.from({ length: s.instances }, (_, k) => s.seed + k),
  );
  legendHtml(s.instances);
}
scheduleRender();
