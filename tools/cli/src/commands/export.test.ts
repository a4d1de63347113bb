// polytoy export on the bundle, read back by NumPy (Debian's /usr/bin/python3): every array
// equals the JSON it came from.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { RESULT_COLUMNS } from '../export-arrays.js';

const python = (script: string, ...args: string[]) =>
  execFileSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8' });
const tmp = () => mkdtempSync(join(tmpdir(), 'polytoy-export-'));

describe('polytoy export --format npz (bundled CLI, read by numpy)', () => {
  it('a run.json: stacked weights, per-instance scalars and history columns equal the JSON', () => {
    const dir = tmp();
    const run = join(dir, 'run.json');
    expect(
      runCli([
        'train',
        '--n',
        '8',
        '--steps',
        '120',
        '--batch',
        '32',
        '--instances',
        '2',
        '--log-every',
        '40',
        '--out',
        run,
        '--quiet',
      ]).code,
    ).toBe(0);
    const r = runCli(['export', run, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { out: string; kind: string; arrays: { name: string; dtype: string; shape: number[] }[] };
    expect(doc.out).toBe(join(dir, 'run.npz'));
    expect(doc.kind).toBe('run');
    expect(doc.arrays.find((a) => a.name === 'W')).toEqual({ name: 'W', dtype: '<f4', shape: [2, 5, 8] });
    const check = `
import json, sys, numpy as np
rec = json.load(open(sys.argv[1])); z = np.load(sys.argv[2])
for i, inst in enumerate(rec["instances"]):
    p = inst["params"]
    assert np.array_equal(z["W"][i], np.array(p["W"], dtype="<f4").reshape(p["m"], p["n"]))
    assert np.array_equal(z["b"][i], np.array(p["b"], dtype="<f4"))
    assert z["seed"][i] == inst["seed"] and z["lambda"][i] == inst["lambda"] and z["final_loss"][i] == inst["finalLoss"]["loss"]
    assert list(z["history_step"][i]) == [h["step"] for h in inst["history"]]
    assert list(z["history_loss"][i]) == [h["loss"] for h in inst["history"]]
assert json.loads(z["config.json"])["model"]["n"] == 8
print(z["W"].shape, z["W"].dtype, z["history_step"].shape, z["history_step"].dtype)
`;
    expect(python(check, run, doc.out).trim()).toBe('(2, 5, 8) float32 (2, 4) int32');
  });

  it('a results file: the per-run table, runs.json and per-run weights and histories equal the lines', () => {
    const dir = tmp();
    const grid = join(dir, 'g.yaml');
    writeFileSync(
      grid,
      'name: g\ndefaults: { data: { kind: half-split }, logEvery: 50 }\ngrid: { n: 8, lambda: [0.001, 0.01], seeds: 2, steps: 100, batchSize: 32 }\n',
    );
    const results = join(dir, 'g.jsonl');
    expect(runCli(['experiment', '--grid', grid, '--out', results, '--quiet']).code).toBe(0);
    const out = join(dir, 'x.npz');
    const r = runCli(['export', results, '--format', 'npz', '--out', out]);
    expect(r.stdout).toMatch(/^wrote .*x\.npz: \d+ arrays from a results file/);
    const check = `
import json, sys, numpy as np
lines = [json.loads(l) for l in open(sys.argv[1])]; z = np.load(sys.argv[2])
runs = json.loads(z["runs.json"])
assert [r["runId"] for r in runs] == [l["runId"] for l in lines]
assert [r["classification"] for r in runs] == [l["classification"] for l in lines]
for k, l in enumerate(lines):
    assert z["table/final_loss"][k] == l["finalLoss"] and z["table/lambda"][k] == l["spec"]["cell"]["lambda"]
    assert z["table/seed"][k] == l["spec"]["seed"] and z["table/exact_loss"][k] == l["exactLoss"]["loss"]
    assert z["table/has_params"][k] == (l["params"] is not None)
    if l["params"]:
        p = l["params"]; assert np.array_equal(z[f"weights/{l['runId']}/W"], np.array(p["W"], dtype="<f4").reshape(p["m"], p["n"]))
    assert list(z[f"history/{l['runId']}/loss"]) == l["history"]["loss"]
print(len(lines), sorted(k[6:] for k in z.files if k.startswith("table/")) == sorted(sys.argv[3].split(",")), int(z["table/has_params"].sum()))
`;
    // params default to first-seed: 2 of the 4 runs keep weights.
    expect(python(check, results, out, RESULT_COLUMNS.join(',')).trim()).toBe('4 True 2');
  });

  it('rejects other formats and inputs with one line', () => {
    expect(runCli(['export', 'nope.json']).stderr).toMatch(
      /^polytoy export: export: expected a readable run.json or results file, received .*nope\.json \(ENOENT\)/,
    );
    const dir = tmp();
    writeFileSync(join(dir, 'a.json'), '{}');
    expect(runCli(['export', join(dir, 'a.json'), '--format', 'csv']).stderr).toBe(
      'polytoy export: --format: expected npz, received "csv"\n',
    );
  });
});
