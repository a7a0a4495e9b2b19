import 'dotenv/config';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { NoDatabase } from './db/embedded';
import { connectRedis, NoRedis } from './lib/redis';
import { createLogger } from './logger';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, config.NODE_ENV === 'production');
  // Redis first: it fails fast, before an embedded database has been started for nothing.
  const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL, logger) : undefined;
  if (redis) logger.info('several processes may serve this site: sharing state through Redis');
  const db = await openDatabase(config, logger);
  const gifchat = createApp({ config, logger, connection: db.connection, redis });
  await gifchat.start();
  await new Promise<void>((resolve) => gifchat.server.listen(config.PORT, config.HOST, resolve));
  const { port } = gifchat.server.address() as AddressInfo;
  logger.info(`GifChat listening on http://localhost:${port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    // Each of the drain's waits (requests, socket events, connections) stops at DRAIN_MS: past
    // all three and 5 s more, something hangs, and the process goes anyway, saying so by its code.
    const capMs = 3 * config.DRAIN_MS + 5_000;
    const force = setTimeout(() => {
      logger.error(`${signal}: not closed after ${capMs} ms, exiting`);
      process.exit(1);
    }, capMs).unref();
    let code = 0;
    await gifchat.close().catch((err: unknown) => {
      logger.error(`${signal}: closing failed`, { err: String(err) });
      code = 1;
    });
    // Last: the drain's requests and leaves still use them.
    await redis?.quit().catch(() => undefined);
    await db.close();
    clearTimeout(force);
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  // Known startup failures are one line naming the way out; anything else is a bug worth a trace.
  if (err instanceof ConfigError || err instanceof NoDatabase || err instanceof NoRedis) {
    process.stderr.write(`gifchat: ${err.message}\n`);
  } else {
    process.stderr.write(
      `gifchat: could not start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
  }
  process.exit(1);
});
