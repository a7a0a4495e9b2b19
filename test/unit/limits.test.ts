import { randomBytes } from 'node:crypto';
import { testConfig } from '../../src/config';
import { TooManyRequests } from '../../src/errors';
import { connectRedis, type Redis } from '../../src/lib/redis';
import { createLogger } from '../../src/logger';
import { Limits } from '../../src/services/limits';
import { TEST_REDIS_URL } from '../support/cluster';

let redis: Redis;
beforeAll(async () => {
  redis = await connectRedis(TEST_REDIS_URL, createLogger('silent'));
});
afterAll(() => redis.quit());

test('addresses and sessions are counted under keyed hashes, never as themselves', async () => {
  const prefix = `gifchat-test-${randomBytes(6).toString('hex')}`;
  const config = testConfig({ REDIS_PREFIX: prefix, PASSWORD_ATTEMPTS_PER_MINUTE: 2 });
  const limits = new Limits(config, redis);
  const address = '203.0.113.77';
  const session = 'the-secret-session-id-of-someone';
  await limits.take('password', `${limits.address(address)}:room`);
  await limits.take('message', limits.person(session));
  const keys = await redis.keys(`${prefix}:*`);
  expect(keys.length).toBeGreaterThanOrEqual(2);
  for (const key of keys) {
    expect(key).not.toContain(address);
    expect(key).not.toContain(session);
  }
  // Another site's secret gives other keys: the hashes cannot be matched across sites.
  const other = new Limits({ ...config, SESSION_SECRET: 'another-long-secret-value' }, redis);
  expect(other.address(address)).not.toBe(limits.address(address));
  await redis.del(keys);
});

test('a spent budget refuses with the time to wait, and a refund gives a point back', async () => {
  const limits = new Limits(testConfig({ PASSWORD_ATTEMPTS_PER_MINUTE: 2 }));
  await limits.take('password', 'k');
  // A right password does not count against anyone.
  await limits.refund('password', 'k');
  await limits.take('password', 'k');
  await limits.take('password', 'k');
  const refused = await limits.take('password', 'k').catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(TooManyRequests);
  expect((refused as TooManyRequests).params.seconds).toBeGreaterThan(0);
  expect(await limits.allow('password', 'k')).toBe(false);
  expect(await limits.allow('password', 'another key')).toBe(true);
});
