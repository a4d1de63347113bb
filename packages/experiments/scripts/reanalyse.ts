/**
 * Recomputes the analysis of every result line that kept its parameters (no retraining), and
 * optionally drops parameters to shrink a file:
 *
 *   npx tsx --conditions=@polytoy/source packages/experiments/scripts/reanalyse.ts <in.jsonl> [out.jsonl] [--params all|first-seed|none] [--trim-only]
 *
 * Writes to `out.jsonl`, or replaces `in.jsonl` when no output is given. With `--params
 * first-seed` only seed 0 of each cell keeps its weights (and `spec.keepParams` says so). With
 * `--trim-only` the analysis is left as it is (only parameters are dropped).
 */
import type { ResultLine } from '@polytoy/experiments';
import { reanalyseLine } from '@polytoy/experiments';
import { readResultLines, writeResultLines } from '@polytoy/experiments/node';

const args = process.argv.slice(2);
const k = args.indexOf('--params');
const keep = k >= 0 ? args[k + 1] : 'all';
const [input, output] = args.filter((a, i) => !a.startsWith('--') && (k < 0 || i !== k + 1));
if (!input || !['all', 'first-seed', 'none'].includes(keep ?? '')) {
  console.error('usage: reanalyse.ts <in.jsonl> [out.jsonl] [--params all|first-seed|none]');
  process.exit(2);
}
const lines = await readResultLines([input]);
const trim = (l: ResultLine): ResultLine => {
  const keepParams = keep === 'all' || (keep === 'first-seed' && l.spec.seed === 0);
  return keepParams ? l : { ...l, params: null, spec: { ...l.spec, keepParams: false } };
};
const trimOnly = args.includes('--trim-only');
const updated = lines.map((l) => trim(trimOnly ? l : reanalyseLine(l)));
await writeResultLines(output ?? input, updated);
console.error(
  `${trimOnly ? 0 : lines.filter((l) => l.params).length} of ${lines.length} lines reanalysed, params kept: ${keep} → ${output ?? input}`,
);
