/**
 * The neuron-aligned ±eps ("half-split") neuron, reported on its own: whether one exists and
 * what it does. Its existence does not identify the seed's mechanism: the same row is one of
 * the rotated directions of opposite-sign pairs (Σ_k (e_{A_k} − e_{B_k}) = u, so u/√(n/2), a
 * ±eps row with c = 1/2, lies in their row space) and the row 0 of the rotated m = n/2
 * construction. So this report says which outputs read it, how far it shifts them, what bias
 * it is paired with, and whether its shift survives in the function (the support map's shift)
 * or is cancelled by the other neurons.
 *
 * With a ReLU hidden layer a neuron's weights on the half where it is off are invisible to its
 * activation (training grows them freely: they only write), so there a neuron also counts when
 * its *activation* has the ±eps pattern after the ReLU: nearly constant on one half, nearly
 * zero on the other (a half detector, D_A or D_B of SPEC §2c).
 */
import type { AnyParams } from '@polytoy/analytic';
import type { OutputMechanism } from './labels.js';
import { OUTPUT_MECHANISMS } from './labels.js';
import type { SupportMap } from './support-map.js';
import type { MetricThresholds } from './thresholds.js';

/** What one ±eps neuron does. */
export interface EpsNeuron {
  neuron: number;
  /** +1: positive on half A, negative on B; −1: the mirror image. */
  orientation: 1 | -1;
  /** `|⟨E_j, u⟩| / (‖E_j‖ √n)` with u = (+1 on A, −1 on B): 1 for an exact ±eps row. */
  cosine: number;
  /** Whether its encoder row is a ±eps row (cosine >= epsCosine). */
  epsRow: boolean;
  /**
   * ReLU hidden layer: the half on which its activation is nearly constant and positive while
   * nearly zero on the other (a half detector); null otherwise (and always for a linear hidden layer).
   */
  halfDetector: 'A' | 'B' | null;
  /** Encoder eps: `|⟨E_j, u⟩| / n`. */
  eps: number;
  /**
   * Its mean shift over all outputs, `c_ij = D_ij (E[h_j | own half] − E[h_j | other half]) / 2`
   * (tied weights, exact ±eps row: eps² n / 4, the SPEC's c).
   */
  c: number;
  /** Per output i: c_ij (positive: raises its own half against the other). */
  shift: number[];
  /** Outputs with c_ij >= readShift. */
  readers: number[];
  /** Mean output bias over the readers (over all outputs when it has none). */
  bias: number;
  /** Mean over readers of `b_i + c_ij`: 0 when the bias cancels it (SPEC §2, b = −c), 1/2 for the m = n/2 form (b = 1/2 − c). */
  biasPlusC: number;
  /** Mean over readers of the function's shift c_i (support map): what survives of its shift. */
  netShift: number;
  /** The readers' per-output mechanisms. */
  readerMechanisms: Record<OutputMechanism, number>;
  /**
   * `disambiguates`: the readers' net shift is at least `epsCarries` of its own (the function
   * keeps it); `cancelled`: at most `epsCancelled` of it (the other neurons undo it, e.g. a
   * rotated basis of opposite-sign pairs); `partial` between; `unread`: no output reads it.
   */
  role: 'disambiguates' | 'partial' | 'cancelled' | 'unread';
}

/** Every ±eps neuron of a model. */
export interface EpsNeuronReport {
  exists: boolean;
  neurons: EpsNeuron[];
  /** One sentence per neuron (empty when none). */
  description: string;
}

const fmt = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x));

/**
 * Finds the ±eps neurons of a model (encoder rows within `epsCosine` of ±u, with
 * `‖E_j‖·‖D_:j‖ / 4 >= minC`, which is c for tied weights and gauge-free for untied) and
 * reports what each does.
 *
 * @param p - the parameters (encoder rows are tested; tied: W).
 * @param map - the model's support map (for the hidden means per half and the function's shifts).
 * @param shifts - per output, the function's shift c_i (from the taxonomy's readings).
 * @param mechanisms - per output, its mechanism.
 * @example
 * epsNeuronReport(p, supportMap(p, 'none'), shifts, mechanisms, DEFAULT_THRESHOLDS).neurons[0]?.role; // 'disambiguates' for the seed
 */
export function epsNeuronReport(
  p: AnyParams,
  map: SupportMap,
  shifts: readonly number[],
  mechanisms: readonly OutputMechanism[],
  t: Pick<MetricThresholds, 'epsCosine' | 'minC' | 'readShift' | 'epsCarries' | 'epsCancelled' | 'detectorSpread'>,
  hiddenActivation: 'none' | 'relu' = 'none',
): EpsNeuronReport {
  const { n, m, h } = map;
  const E = p.kind === 'tied' ? p.W : p.E;
  const dec = (i: number, j: number): number => (p.kind === 'tied' ? p.W[j * n + i]! : p.D[i * m + j]!);
  const neurons: EpsNeuron[] = [];
  for (let j = 0; j < m; j++) {
    let dot = 0;
    let e2 = 0;
    let d2 = 0;
    for (let k = 0; k < n; k++) {
      const e = E[j * n + k]!;
      dot += k < h ? e : -e;
      e2 += e * e;
      d2 += dec(k, j) ** 2;
    }
    if (e2 === 0) continue;
    const cosine = Math.abs(dot) / Math.sqrt(e2 * n);
    const hA = map.hiddenMeanA[j]!;
    const hB = map.hiddenMeanB[j]!;
    let halfDetector: 'A' | 'B' | null = null;
    if (hiddenActivation === 'relu') {
      const [on, off, sd] = hA >= hB ? [hA, hB, map.hiddenStdA[j]!] : [hB, hA, map.hiddenStdB[j]!];
      const offSd = hA >= hB ? map.hiddenStdB[j]! : map.hiddenStdA[j]!;
      if (on > 0 && sd <= t.detectorSpread * on && off + offSd <= t.detectorSpread * on) halfDetector = hA >= hB ? 'A' : 'B';
    }
    const epsRow = cosine >= t.epsCosine;
    if (!epsRow && !halfDetector) continue;
    const orientation: 1 | -1 = halfDetector ? (halfDetector === 'A' ? 1 : -1) : dot > 0 ? 1 : -1;
    const shift = Array.from({ length: n }, (_, i) => (dec(i, j) * (i < h ? hA - hB : hB - hA)) / 2);
    const size = shift.reduce((a, v) => a + Math.abs(v), 0) / n;
    // Gauge-free size (untied: ‖E_j‖·‖D_:j‖/4 is c for a tied ±eps row); tiny rows are noise.
    if (Math.max(size, (Math.sqrt(e2) * Math.sqrt(d2)) / 4) < t.minC) continue;
    const readers = shift.flatMap((s, i) => (s >= t.readShift ? [i] : []));
    const over = readers.length > 0 ? readers : shift.map((_, i) => i);
    const mean = (f: (i: number) => number): number => over.reduce((a, i) => a + f(i), 0) / over.length;
    const readerMechanisms = Object.fromEntries(OUTPUT_MECHANISMS.map((k) => [k, 0])) as Record<OutputMechanism, number>;
    for (const i of readers) readerMechanisms[mechanisms[i]!]++;
    const own = mean((i) => shift[i]!);
    const netShift = mean((i) => shifts[i]!);
    const share = own > 0 ? netShift / own : 0;
    const role: EpsNeuron['role'] =
      readers.length === 0
        ? 'unread'
        : share >= t.epsCarries
          ? 'disambiguates'
          : share <= t.epsCancelled
            ? 'cancelled'
            : 'partial';
    neurons.push({
      neuron: j,
      orientation,
      cosine,
      epsRow,
      halfDetector,
      eps: Math.abs(dot) / n,
      c: shift.reduce((a, s) => a + s, 0) / n,
      shift,
      readers,
      bias: mean((i) => map.b[i]!),
      biasPlusC: mean((i) => map.b[i]! + shift[i]!),
      netShift,
      readerMechanisms,
      role,
    });
  }
  const description = neurons
    .map((x) => {
      const who = x.readers.length === n ? 'every output' : `${x.readers.length} of ${n} outputs`;
      const what =
        x.role === 'unread'
          ? 'no output reads it'
          : x.role === 'disambiguates'
            ? `its shift survives in the function (net ${fmt(x.netShift)})`
            : x.role === 'cancelled'
              ? `the other neurons cancel its shift (net ${fmt(x.netShift)})`
              : `part of its shift survives (net ${fmt(x.netShift)})`;
      const kind = x.epsRow ? '±eps neuron' : `half detector (active on ${x.halfDetector})`;
      return `${kind} ${x.neuron} (${x.orientation > 0 ? '+A/−B' : '−A/+B'}, cosine ${fmt(x.cosine)}, c ${fmt(x.c)}): read by ${who}, bias ${fmt(x.bias)} (b + c = ${fmt(x.biasPlusC)}); ${what}.`;
    })
    .join(' ');
  return { exists: neurons.length > 0, neurons, description };
}
