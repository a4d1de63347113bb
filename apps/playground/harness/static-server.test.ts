import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaticServer } from './static-server.js';
import { serveStatic } from './static-server.js';

let dir: string;
let server: StaticServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'polytoy-static-'));
  mkdirSync(join(dir, 'wasm'));
  writeFileSync(join(dir, 'index.html'), '<p>hi</p>');
  writeFileSync(join(dir, 'wasm', 'a.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(dir, '..', 'polytoy-static-secret.txt'), 'secret');
  server = await serveStatic(dir);
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(dir, '..', 'polytoy-static-secret.txt'), { force: true });
});

describe('serveStatic', () => {
  it('listens on loopback and serves index.html for / and files with their content type', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(server.url);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toBe('<p>hi</p>');
    const wasm = await fetch(`${server.url}wasm/a.wasm?v=1`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(Uint8Array.of(0, 97, 115, 109));
  });

  it('answers 404 for missing files, directories and paths outside the root', async () => {
    expect((await fetch(`${server.url}nope.js`)).status).toBe(404);
    expect((await fetch(`${server.url}wasm`)).status).toBe(404);
    expect((await fetch(`${server.url}..%2fpolytoy-static-secret.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}%2e%2e/polytoy-static-secret.txt`)).status).toBe(404);
  });
});
