// Regenerates the analytic README's "Stability answer" table (several minutes; n = 16, lambda = 1e-3 dominates):
//   npx tsx --conditions=@polytoy/source tools/cli/scripts/stability-answer.ts [n...]
import { writeFileSync } from 'node:fs';
import { stabilityStudy } from '@polytoy/analytic';
import { formatAnalysisReport, formatStabilityTable } from '../src/format-analysis.js';

const ns = process.argv.slice(2).map(Number);
const rows = stabilityStudy({ ns: ns.length ? ns : [8, 16], lambdas: [1e-3, 1e-2, 1e-1] });
for (const r of rows) console.log(`${formatAnalysisReport(r.report)}\n`);
console.log(formatStabilityTable(rows));
// Set STABILITY_JSON=<file> to keep the full reports.
if (process.env.STABILITY_JSON) writeFileSync(process.env.STABILITY_JSON, JSON.stringify(rows, null, 1));
