/**
 * Sorting labels the way a reader expects: numbers inside labels compare as numbers, so
 * `m=4` < `m=10`, `λ=0.001` < `λ=0.01` and `n=8 m=10` < `n=16 m=4`.
 */

/** A number in a label: optional sign (at the start or after `=`, `(`, `,`, space), digits, decimals, exponent. */
const NUMBER = /(?:(?<=^|[=(,\s[])[-+−])?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;

type Token = { num: number } | { text: string };

function tokens(label: string): Token[] {
  const out: Token[] = [];
  let last = 0;
  for (const m of label.matchAll(NUMBER)) {
    if (m.index > last) out.push({ text: label.slice(last, m.index) });
    out.push({ num: Number(m[0].replace('−', '-')) });
    last = m.index + m[0].length;
  }
  if (last < label.length) out.push({ text: label.slice(last) });
  return out;
}

/**
 * Compares two labels with embedded numbers compared numerically (text parts by code point,
 * a number before text).
 *
 * @example
 * ['m=10', 'm=4', 'm=9'].sort(compareNatural); // ['m=4', 'm=9', 'm=10']
 */
export function compareNatural(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  for (let k = 0; k < Math.min(ta.length, tb.length); k++) {
    const x = ta[k]!;
    const y = tb[k]!;
    if ('num' in x && 'num' in y) {
      if (x.num !== y.num) return x.num < y.num ? -1 : 1;
    } else if ('text' in x && 'text' in y) {
      if (x.text !== y.text) return x.text < y.text ? -1 : 1;
    } else return 'num' in x ? -1 : 1;
  }
  if (ta.length !== tb.length) return ta.length - tb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The distinct labels in natural order (see {@link compareNatural}).
 *
 * @example
 * sortNatural(['λ=0.01', 'λ=0.001', 'λ=0.01']); // ['λ=0.001', 'λ=0.01']
 */
export function sortNatural(labels: Iterable<string>): string[] {
  return [...new Set(labels)].sort(compareNatural);
}
