/**
 * The live heat map of one instance, in the report's visual language (`@polytoy/viz`): neurons
 * (rows) × features (columns), halves A | B split, the ±eps neurons first and marked ◆, the
 * output bias b as a strip underneath, the input→output map WᵀW (D E untied) beside it, one
 * diverging scale (blue positive, red negative) with a robust range — values beyond it are drawn
 * in the end colour and marked ×. Untied models show E and Dᵀ side by side.
 */
import type { ModelParams } from '@polytoy/core';
import type { HeatmapLayout, HeatmapPanel } from '@polytoy/viz';
import { divergingColor, heatmapLayout, isClipped, SIGN_CONVENTION } from '@polytoy/viz';

/** What was drawn (also written to the canvas's data attributes for tests). */
export interface HeatmapInfo {
  cell: number;
  vmax: number;
  mapVmax: number | null;
  clipped: number;
  marked: number[];
}

const FONT = '11px system-ui, sans-serif';
const LEFT = 34;
const TOP = 30;

/** Where the first panel's top-left cell starts on the canvas (tests sample cells from it). */
export const HEATMAP_ORIGIN = Object.freeze({ left: LEFT, top: TOP });
const GAP = 22;
const BIAS_GAP = 10;
const LEGEND = 34;

function panelImage(panel: HeatmapPanel): HTMLCanvasElement {
  const img = document.createElement('canvas');
  img.width = panel.cols;
  img.height = panel.rows;
  const ctx = img.getContext('2d')!;
  const px = new ImageData(panel.cols, panel.rows);
  for (let i = 0; i < panel.rows * panel.cols; i++) {
    const [r, g, b] = divergingColor(panel.values[i]!, panel.range.vmax);
    px.data[4 * i] = r;
    px.data[4 * i + 1] = g;
    px.data[4 * i + 2] = b;
    px.data[4 * i + 3] = 255;
  }
  ctx.putImageData(px, 0, 0);
  return img;
}

function drawPanel(
  ctx: CanvasRenderingContext2D,
  panel: HeatmapPanel,
  x0: number,
  y0: number,
  cell: number,
  title: string | null,
): number {
  const w = panel.cols * cell;
  const h = panel.rows * cell;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(panelImage(panel), x0, y0, w, h);
  let clipped = 0;
  ctx.fillStyle = '#000';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = `${Math.max(8, Math.round(cell * 0.8))}px system-ui, sans-serif`;
  for (let r = 0; r < panel.rows; r++) {
    for (let c = 0; c < panel.cols; c++) {
      if (!isClipped(panel.values[r * panel.cols + c]!, panel.range)) continue;
      clipped++;
      if (cell >= 6) ctx.fillText('×', x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell + 0.5);
    }
  }
  ctx.strokeStyle = '#111';
  ctx.lineWidth = 1;
  ctx.strokeRect(x0 + 0.5, y0 + 0.5, w - 1, h - 1);
  // Halves: A = features 0..n/2-1, B = n/2..n-1.
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x0 + panel.colSplit * cell, y0 - 3);
  ctx.lineTo(x0 + panel.colSplit * cell, y0 + h + 3);
  if (panel.rowSplit !== null) {
    ctx.moveTo(x0 - 3, y0 + panel.rowSplit * cell);
    ctx.lineTo(x0 + w + 3, y0 + panel.rowSplit * cell);
  }
  ctx.stroke();
  ctx.font = FONT;
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = '#222';
  if (title !== null) {
    ctx.textAlign = 'center';
    ctx.fillText(`${title}: A`, x0 + w / 4, y0 - 7);
    ctx.fillText('B', x0 + (3 * w) / 4, y0 - 7);
  }
  // Row labels (neuron index, ◆ for ±eps neurons; output index for the map).
  if (panel.rows <= 48 && cell >= 7) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.font = '10px system-ui, sans-serif';
    const every = cell >= 10 ? 1 : 2;
    for (let r = 0; r < panel.rows; r += every) {
      ctx.fillStyle = panel.marked[r] ? '#000' : '#555';
      ctx.fillText(panel.rowLabels[r]!, x0 - 4, y0 + (r + 0.5) * cell);
    }
  }
  return clipped;
}

function legend(ctx: CanvasRenderingContext2D, x: number, y: number, width: number, vmax: number, label: string): void {
  for (let i = 0; i < width; i++) {
    const [r, g, b] = divergingColor(((2 * i) / (width - 1) - 1) * vmax, vmax);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x + i, y, 1, 8);
  }
  ctx.fillStyle = '#222';
  ctx.font = FONT;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(`−${fmt(vmax)}`, x, y + 11);
  ctx.textAlign = 'center';
  ctx.fillText(label, x + width / 2, y + 11);
  ctx.textAlign = 'right';
  ctx.fillText(`+${fmt(vmax)}`, x + width, y + 11);
}

const fmt = (x: number) => String(Number(x.toPrecision(3)));

/**
 * Draws an instance's parameters into `canvas`, sizing the canvas to fit `maxWidth`.
 *
 * @param marked - ±eps neurons to put first and mark (from the readout).
 * @example
 * drawHeatmap(canvas, constructionFor({ n: 16, m: 9 }), [0], 480);
 */
export function drawHeatmap(
  canvas: HTMLCanvasElement,
  params: ModelParams,
  marked: readonly number[],
  maxWidth: number,
): HeatmapInfo {
  const layout: HeatmapLayout = heatmapLayout(params, { marked });
  const main = layout.panels.filter((p) => p.kind !== 'b');
  const bias = layout.panels.find((p) => p.kind === 'b')!;
  const map = layout.map!;
  const { n, m } = layout;
  // Side by side when the cells stay readable, else the map under the parameters.
  const colsBeside = (main.length + 1) * n;
  const widthFor = (cols: number, panels: number) => (maxWidth - LEFT - 8 - (panels - 1) * (GAP + LEFT)) / cols;
  const beside = widthFor(colsBeside, main.length + 1) >= 6;
  const cell = Math.max(
    2,
    Math.min(
      24,
      Math.floor(beside ? widthFor(colsBeside, main.length + 1) : widthFor(main.length * n, main.length)),
      Math.floor(360 / m),
    ),
  );
  const panelW = n * cell;
  const paramsH = m * cell + BIAS_GAP + cell;
  const mapX = LEFT + main.length * (panelW + GAP + LEFT);
  const paramsWidth = LEFT + main.length * panelW + (main.length - 1) * (GAP + LEFT);
  // Legends: the weights' under the parameters, the map's under the map (or beside the first when
  // the map is below); the canvas grows to hold them, so no label is ever cut off.
  const legendW = Math.max(130, Math.min(200, panelW));
  const mapLegendX = beside ? Math.max(LEFT + legendW + 28, Math.min(mapX, maxWidth - legendW - 8)) : LEFT + legendW + 28;
  const width = Math.max(beside ? mapX + panelW : paramsWidth, mapLegendX + legendW, LEFT + legendW) + 8;
  const mapY = beside ? TOP : TOP + paramsH + GAP + 12;
  const height = Math.max(TOP + paramsH, mapY + n * cell) + LEGEND;
  canvas.width = Math.ceil(width);
  canvas.height = Math.ceil(height);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  let clipped = 0;
  main.forEach((p, k) => {
    const x0 = LEFT + k * (panelW + GAP + LEFT);
    clipped += drawPanel(ctx, p, x0, TOP, cell, p.kind === 'W' ? 'W' : p.kind === 'E' ? 'E' : 'Dᵀ');
    clipped += drawPanel(ctx, bias, x0, TOP + m * cell + BIAS_GAP, cell, null);
  });
  ctx.fillStyle = '#222';
  ctx.font = FONT;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillText('b', LEFT - 4, TOP + m * cell + BIAS_GAP + cell / 2);
  drawPanel(ctx, map, beside ? mapX : LEFT, mapY, cell, map.title);
  legend(ctx, LEFT, canvas.height - LEGEND + 6, legendW, bias.range.vmax, 'weight');
  legend(ctx, mapLegendX, canvas.height - LEGEND + 6, legendW, map.range.vmax, map.title);
  const info: HeatmapInfo = { cell, vmax: bias.range.vmax, mapVmax: map.range.vmax, clipped, marked: layout.marked };
  canvas.dataset.vmax = String(info.vmax);
  canvas.dataset.cell = String(cell);
  canvas.dataset.clipped = String(clipped);
  canvas.dataset.marked = layout.marked.join(',');
  canvas.dataset.layout = beside ? 'beside' : 'below';
  canvas.setAttribute(
    'aria-label',
    `heat map of ${params.kind === 'tied' ? 'W' : 'E and Dᵀ'} with b, and ${map.title}; ${SIGN_CONVENTION}; ±eps neurons: ${layout.marked.join(', ') || 'none'}`,
  );
  return info;
}

/**
 * Clears the canvas and writes a one-line hint in it.
 *
 * @example
 * drawPlaceholder(canvas, 'press Train', 480);
 */
export function drawPlaceholder(canvas: HTMLCanvasElement, text: string, width: number): void {
  canvas.width = Math.max(200, Math.floor(width));
  canvas.height = 120;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#666';
  ctx.font = '13px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, canvas.width / 2, canvas.height / 2, canvas.width - 16);
  canvas.dataset.marked = '';
  delete canvas.dataset.vmax;
}
