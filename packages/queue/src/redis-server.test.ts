import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startRedisServer } from './redis-server.js';
import { startTestRedis } from './test-utils/fixtures.js';

function command(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.once('error', reject);
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.endsWith('\r\n')) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.once('connect', () => socket.write(`${text}\r\n`));
  });
}

describe('startRedisServer', () => {
  it('serves on a loopback port without persistence, and stop() ends it', async () => {
    const redis = await startTestRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await command(redis.port, 'PING')).toBe('+PONG\r\n');
    expect(await command(redis.port, 'CONFIG GET bind')).toMatch(/127\.0\.0\.1/);
    expect(await command(redis.port, 'CONFIG GET save')).toBe('*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
    expect(await command(redis.port, 'CONFIG GET appendonly')).toMatch(/\bno\b/);
    await redis.stop();
    await expect(command(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('names the Debian package when the executable is missing', async () => {
    await expect(startRedisServer({ binary: 'redis-server-that-does-not-exist' })).rejects.toThrow(
      "redis-server-that-does-not-exist not found: install Debian's redis-server package (apt-get install redis-server)",
    );
  });

  it('reports a server that cannot start (port taken)', async () => {
    const redis = await startTestRedis();
    try {
      await expect(startRedisServer({ port: redis.port, timeoutMs: 3000 })).rejects.toThrow(/exited early|did not answer/);
    } finally {
      await redis.stop();
    }
  });
});
