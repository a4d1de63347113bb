/**
 * Recomputes the analysis of every result line that kept its parameters (no retraining):
 *
 *   npx tsx --conditions=@polytoy/source packages/experiments/scripts/reanalyse.ts <in.jsonl> [out.jsonl]
 *
 * Writes to `out.jsonl`, or replaces `in.jsonl` when no output is given.
 */
import { reanalyseLine } from '@polytoy/experiments';
import { readResultLines, writeResultLines } from '@polytoy/experiments/node';

const [input, output] = process.argv.slice(2);
if (!input) {
  console.error('usage: reanalyse.ts <in.jsonl> [out.jsonl]');
  process.exit(2);
}
const lines = await readResultLines([input]);
const updated = lines.map((l) => reanalyseLine(l));
await writeResultLines(output ?? input, updated);
console.error(`${updated.filter((l, k) => l !== lines[k]).length} of ${lines.length} lines reanalysed → ${output ?? input}`);
