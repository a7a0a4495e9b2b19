import { ConfigError, loadConfig } from '../../src/config';

test('defaults: port 8005, 10 s room grace, exit announced within 3 s', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    PORT: 8005,
    ROOM_GRACE_MS: 10_000,
    MAX_GIF_BYTES: 5 * 1024 * 1024,
  });
  expect(config.PRESENCE_GRACE_MS).toBeLessThan(3000);
  // One process unless told otherwise.
  expect(config.REDIS_URL).toBeUndefined();
  expect(Object.isFrozen(config)).toBe(true);
});

test('production refuses the example session secret', () => {
  expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
  expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
  expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) }).NODE_ENV).toBe(
    'production',
  );
});

test.each([
  [{ PORT: 'eighty' }, 'PORT'],
  [{ MONGO_URL: 'not a url' }, 'MONGO_URL'],
  [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ REDIS_URL: 'localhost' }, 'REDIS_URL'],
  [{ REDIS_PREFIX: 'a b' }, 'REDIS_PREFIX'],
  [{ REDIS_PREFIX: 'x'.repeat(41) }, 'REDIS_PREFIX'],
])('a bad value (%j) stops startup naming %s', (env, name) => {
  expect(() => loadConfig(env)).toThrow(new RegExp(`invalid ${name}`));
});
