/**
 * A throw-away local Redis: Debian's `redis-server` started as a child process on a free
 * loopback port, in a temporary directory, with persistence off. For tests and for trying
 * queue mode on one machine; production uses any Redis the workers can reach.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolytoyError } from '@polytoy/core';

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Port on 127.0.0.1 (default: a free one chosen by the OS). */
  port?: number;
  /** The executable (default `redis-server` on PATH). */
  binary?: string;
  /** Milliseconds to wait for the server to answer (default 10 000). */
  timeoutMs?: number;
  /**
   * When the executable is missing and this process runs as root, install Debian's
   * `redis-server` package with apt-get first (what CI and test setups want). Default false.
   */
  installIfMissing?: boolean;
  /**
   * Keep the data in this directory with an fsynced append-only file, so that a server started
   * again on it finds everything (default: no persistence, a fresh temporary directory that
   * `stop()` removes). The directory is left in place.
   */
  persistDir?: string;
}

/** A running server started by {@link startRedisServer}. */
export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The server process id. */
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; a tiny race with other processes remains). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Asks the server on `port` for its process id (`INFO server`), or null when nothing answers.
 * Comparing it with our child's pid tells our server from another one already on the port.
 */
function serverPid(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (pid: number | null) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(1000, () => done(null));
    socket.once('error', () => done(null));
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      const header = /^\$(\d+)\r\n/.exec(reply);
      if (!header) {
        if (reply.includes('\r\n')) done(null);
        return;
      }
      if (Buffer.byteLength(reply) < header[0].length + Number(header[1]) + 2) return;
      const pid = /process_id:(\d+)/.exec(reply);
      done(pid ? Number(pid[1]) : null);
    });
    socket.once('connect', () => socket.write('INFO server\r\n'));
  });
}

function isInstalled(binary: string): boolean {
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `apt-get install redis-server` (root only; output goes to this process's stderr). */
function installRedisServer(): void {
  const script = 'apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server';
  execFileSync('sh', ['-c', script], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `redis-server` bound to 127.0.0.1 only, with `--save ''` and `--appendonly no` (nothing
 * is written to disk), and waits until it answers (and is this process, not another server
 * already listening on the port).
 *
 * @throws PolytoyError when the executable is missing (naming the Debian package to install),
 *   when it exits early (with its output), or when it does not answer in time.
 * @example
 * const redis = await startRedisServer();
 * try { await submitSweep(def, { redis: redis.url }); } finally { await redis.stop(); }
 */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = opts.binary ?? 'redis-server';
  if (opts.installIfMissing && !isInstalled(binary) && process.getuid?.() === 0) installRedisServer();
  const port = opts.port ?? (await freeLoopbackPort());
  const dir = opts.persistDir ?? (await mkdtemp(join(tmpdir(), 'polytoy-redis-')));
  const persistence = opts.persistDir ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir];
  const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const failure = new Promise<Error>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      resolve(
        e.code === 'ENOENT'
          ? new PolytoyError(`${binary} not found: install Debian's redis-server package (apt-get install redis-server)`)
          : new PolytoyError(`cannot start ${binary}: ${e.message}`),
      );
    });
    child.once('exit', (code, signal) => {
      resolve(
        new PolytoyError(
          `${binary} exited early (${signal ?? `code ${code}`}): ${output.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      );
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
    if (!opts.persistDir) await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const state: { early: Error | null } = { early: null };
  void failure.then((e) => (state.early = e));
  while (Date.now() < deadline) {
    if (state.early) break;
    if ((await serverPid(port)) === child.pid) return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid, stop };
    await sleep(50);
  }
  await stop();
  throw state.early ?? new PolytoyError(`${binary} did not answer on 127.0.0.1:${port} within ${opts.timeoutMs ?? 10_000} ms`);
}
