/**
 * Small derivative-free minimisers used by the reduced analyses (golden section in 1-D,
 * Nelder–Mead in a few dimensions). Deterministic; no randomness.
 */

/**
 * Minimises a unimodal function on [lo, hi] by golden-section search.
 *
 * @returns the minimiser and its value, to an interval width of `tol`.
 * @example
 * goldenSection((x) => (x - 0.3) ** 2, 0, 1).x; // ≈ 0.3
 */
export function goldenSection(f: (x: number) => number, lo: number, hi: number, tol = 1e-12): { x: number; value: number } {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo,
    b = hi;
  let c = b - r * (b - a),
    d = a + r * (b - a);
  let fc = f(c),
    fd = f(d);
  for (let it = 0; it < 500 && b - a > tol; it++) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
  }
  const x = fc <= fd ? c : d;
  return { x, value: Math.min(fc, fd) };
}

/**
 * Nelder–Mead simplex minimisation (standard coefficients 1, 2, 1/2, 1/2).
 *
 * @param f - objective.
 * @param x0 - start.
 * @param step - initial simplex edge per coordinate.
 * @example
 * nelderMead(([x, y]) => (x! - 1) ** 2 + (y! + 2) ** 2, [0, 0]).x; // ≈ [1, -2]
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  step = 0.05,
  opts: { maxIter?: number; tol?: number } = {},
): { x: number[]; value: number; iterations: number } {
  const d = x0.length;
  const maxIter = opts.maxIter ?? 20000;
  const tol = opts.tol ?? 1e-15;
  let pts: { x: number[]; v: number }[] = [{ x: x0.slice(), v: f(x0) }];
  for (let i = 0; i < d; i++) {
    const x = x0.slice();
    x[i] = x[i]! + step;
    pts.push({ x, v: f(x) });
  }
  let it = 0;
  for (; it < maxIter; it++) {
    pts.sort((p, q) => p.v - q.v);
    const best = pts[0]!,
      worst = pts[d]!;
    if (Math.abs(worst.v - best.v) <= tol * (Math.abs(best.v) + tol)) {
      let spread = 0;
      for (const p of pts) for (let i = 0; i < d; i++) spread = Math.max(spread, Math.abs(p.x[i]! - best.x[i]!));
      if (spread < 1e-12) break;
    }
    const centroid = new Array<number>(d).fill(0);
    for (let k = 0; k < d; k++) for (let i = 0; i < d; i++) centroid[i] = centroid[i]! + pts[k]!.x[i]! / d;
    const along = (t: number) => centroid.map((c, i) => c + t * (worst.x[i]! - c));
    const xr = along(-1);
    const vr = f(xr);
    if (vr < best.v) {
      const xe = along(-2);
      const ve = f(xe);
      pts[d] = ve < vr ? { x: xe, v: ve } : { x: xr, v: vr };
    } else if (vr < pts[d - 1]!.v) {
      pts[d] = { x: xr, v: vr };
    } else {
      const xc = vr < worst.v ? along(-0.5) : along(0.5);
      const vc = f(xc);
      if (vc < Math.min(vr, worst.v)) {
        pts[d] = { x: xc, v: vc };
      } else {
        pts = pts.map((p, k) => {
          if (k === 0) return p;
          const x = p.x.map((v, i) => best.x[i]! + 0.5 * (v - best.x[i]!));
          return { x, v: f(x) };
        });
      }
    }
  }
  pts.sort((p, q) => p.v - q.v);
  return { x: pts[0]!.x, value: pts[0]!.v, iterations: it };
}
