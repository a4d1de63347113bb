import { describe, expect, it } from 'vitest';
import { redisConnection, sweepKeys } from './connection.js';
import { redactUrl } from './open.js';

describe('redisConnection', () => {
  it('reads host, port, database, credentials and TLS from the URL', () => {
    expect(redisConnection('redis://10.0.0.5:6380/3', 'worker')).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      db: 3,
      maxRetriesPerRequest: null,
    });
    expect(redisConnection('redis://localhost', 'client')).toMatchObject({
      host: 'localhost',
      port: 6379,
      db: 0,
      maxRetriesPerRequest: 1,
    });
    const secure = redisConnection('rediss://user:p%40ss@cache.example:6390', 'client');
    expect(secure).toMatchObject({ host: 'cache.example', port: 6390, username: 'user', password: 'p@ss', tls: {} });
    expect(redisConnection('redis://[::1]:6379', 'client')).toMatchObject({ host: '::1' });
  });

  it('gives client connections a finite retry strategy and worker connections none', () => {
    const client = redisConnection('redis://h:1', 'client') as { retryStrategy: (n: number) => number | null };
    expect([1, 2, 3, 4].map((n) => client.retryStrategy(n))).toEqual([250, 500, 750, null]);
    expect('retryStrategy' in redisConnection('redis://h:1', 'worker')).toBe(false);
  });

  it.each([
    ['localhost:6379', /--redis: expected a redis:\/\/ or rediss:\/\/ URL, received "localhost:6379"/],
    ['http://h:1', /--redis: expected a redis:\/\/ or rediss:\/\/ URL/],
    ['not a url', /--redis: expected a URL like redis:\/\/host:6379, received "not a url"/],
    ['redis://h:1/x', /--redis: expected a database number/],
  ])('rejects %j', (url, message) => {
    expect(() => redisConnection(url, 'client')).toThrow(message);
  });

  it('hides passwords in messages', () => {
    expect(redactUrl('redis://u:secret@h:1/2')).toBe('redis://u:***@h:1/2');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
  });
});

describe('sweepKeys', () => {
  it("keeps polytoy's keys under the queue's prefix", () => {
    const k = sweepKeys('q', 'bull');
    expect([k.results, k.duplicates, k.sweeps, k.plan('a@1/small')]).toEqual([
      'bull:q:polytoy:results',
      'bull:q:polytoy:duplicates',
      'bull:q:polytoy:sweeps',
      'bull:q:polytoy:plan:a@1/small',
    ]);
  });
});
