/**
 * The live weight-matrix heat map: neurons (rows) × features (columns), halves A | B marked,
 * diverging colours on a symmetric scale; the output bias b as a strip underneath. Untied models
 * show the encoder E and the decoder (as rows, Dᵀ) side by side.
 */
import type { ModelParams } from '@polytoy/core';
import { decoderRowsOf, encoderOf } from '@polytoy/core';
import { divergingColor, matrixPixels, symmetricScale } from './colormap.js';

interface Panel {
  title: string;
  matrix: Float32Array;
}

const MARGIN = { left: 34, top: 34, gap: 24, bias: 16 };

function matrixImage(matrix: ArrayLike<number>, rows: number, cols: number, vmax: number): HTMLCanvasElement {
  const img = document.createElement('canvas');
  img.width = cols;
  img.height = rows;
  const ctx = img.getContext('2d')!;
  ctx.putImageData(new ImageData(matrixPixels(matrix, rows, cols, vmax), cols, rows), 0, 0);
  return img;
}

/**
 * Draws `params` into `canvas` (resizing it to fit; cell size from the available width).
 *
 * @param caption - shown above the panels, e.g. `step 1200`.
 * @example
 * drawHeatmap(document.querySelector('canvas')!, constructionFor({ n: 16, m: 9 }), 'construction');
 */
export function drawHeatmap(canvas: HTMLCanvasElement, params: ModelParams, caption: string, maxWidth = 720): void {
  const { n, m } = params;
  const panels: Panel[] =
    params.kind === 'tied'
      ? [{ title: 'W', matrix: encoderOf(params) }]
      : [
          { title: 'E (encoder)', matrix: encoderOf(params) },
          { title: 'Dᵀ (decoder)', matrix: decoderRowsOf(params) },
        ];
  const vmax = symmetricScale(panels.flatMap((p) => [symmetricScale(p.matrix), symmetricScale(params.b)]));
  const usable = (maxWidth - MARGIN.left - (panels.length - 1) * MARGIN.gap) / panels.length;
  const cell = Math.max(2, Math.min(28, Math.floor(usable / n), Math.floor(420 / m)));
  const panelW = cell * n;
  const panelH = cell * m;
  canvas.width = MARGIN.left + panels.length * panelW + (panels.length - 1) * MARGIN.gap + 8;
  canvas.height = MARGIN.top + panelH + MARGIN.bias + cell + 36;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#222';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(caption, MARGIN.left, 12);

  panels.forEach((panel, k) => {
    const x0 = MARGIN.left + k * (panelW + MARGIN.gap);
    const y0 = MARGIN.top;
    ctx.drawImage(matrixImage(panel.matrix, m, n, vmax), x0, y0, panelW, panelH);
    // Halves: A = features 0..n/2-1, B = n/2..n-1.
    ctx.fillStyle = '#222';
    ctx.textAlign = 'center';
    const wide = panelW >= 240;
    ctx.fillText(wide ? `${panel.title}: A (features 0–${n / 2 - 1})` : `${panel.title}: A`, x0 + panelW / 4, y0 - 6);
    ctx.fillText(wide ? `B (features ${n / 2}–${n - 1})` : 'B', x0 + (3 * panelW) / 4, y0 - 6);
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x0 + panelW / 2, y0 - 3);
    ctx.lineTo(x0 + panelW / 2, y0 + panelH + MARGIN.bias + cell + 3);
    ctx.stroke();
    ctx.lineWidth = 1;
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, panelW - 1, panelH - 1);
    // Output bias b [n] under the matrix.
    const yb = y0 + panelH + MARGIN.bias;
    ctx.drawImage(matrixImage(params.b, 1, n, vmax), x0, yb, panelW, cell);
    ctx.strokeRect(x0 + 0.5, yb + 0.5, panelW - 1, cell - 1);
  });
  ctx.textAlign = 'right';
  ctx.fillText('b', MARGIN.left - 6, MARGIN.top + panelH + MARGIN.bias + cell / 2 + 4);
  if (m <= 40) {
    ctx.font = '10px system-ui, sans-serif';
    for (let j = 0; j < m; j += m > 20 ? 2 : 1) ctx.fillText(String(j), MARGIN.left - 6, MARGIN.top + j * cell + cell / 2 + 3);
  }
  // Legend: -vmax … 0 … +vmax.
  const ly = canvas.height - 14;
  const lw = Math.min(160, panelW);
  for (let i = 0; i < lw; i++) {
    const [r, g, b] = divergingColor(((2 * i) / (lw - 1) - 1) * vmax, vmax);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(MARGIN.left + i, ly - 8, 1, 10);
  }
  ctx.fillStyle = '#222';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.fillText(
    `colour scale −${vmax.toPrecision(3)} … 0 … +${vmax.toPrecision(3)} · rows: neurons, columns: features`,
    MARGIN.left + lw + 8,
    ly,
  );
}

/**
 * Clears the heat-map canvas and writes a one-line hint in it.
 *
 * @example
 * drawPlaceholder(canvas, 'press Train');
 */
export function drawPlaceholder(canvas: HTMLCanvasElement, text: string): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#777';
  ctx.font = '13px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.fillText(text, canvas.width / 2, canvas.height / 2);
}
