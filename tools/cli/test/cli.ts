// Runs the bundled CLI (built by the global setup) as a child process.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/polytoy.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd?: string): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, timeout: 170_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI and sends SIGINT once stderr matches `when`. */
export function interruptCli(args: string[], when: RegExp, cwd?: string): Promise<CliResult> {
  return signalCli(args, when, 'SIGINT', cwd);
}

/** Runs the CLI without blocking (so table-driven tests can run their cases concurrently). */
export function runCliAsync(args: string[], cwd?: string): Promise<CliResult> {
  return spawnCli(args, cwd);
}

/** Starts the CLI and sends `signal` once stderr matches `when`. */
export function signalCli(args: string[], when: RegExp, signal: NodeJS.Signals, cwd?: string): Promise<CliResult> {
  return spawnCli(args, cwd, { when, signal });
}

/** Spawns the CLI, collects its output, and (optionally) signals it once stderr matches `when`. */
function spawnCli(args: string[], cwd?: string, trigger?: { when: RegExp; signal: NodeJS.Signals }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd });
    let stdout = '',
      stderr = '',
      sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (trigger && !sent && trigger.when.test(stderr)) {
        sent = true;
        child.kill(trigger.signal);
      }
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
