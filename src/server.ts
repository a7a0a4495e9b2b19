import 'dotenv/config';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { NoDatabase } from './db/embedded';
import { createLogger } from './logger';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, config.NODE_ENV === 'production');
  const db = await openDatabase(config, logger);
  const gifchat = createApp({ config, logger, connection: db.connection });
  await gifchat.start();
  await new Promise<void>((resolve) => gifchat.server.listen(config.PORT, config.HOST, resolve));
  logger.info(`GifChat listening on http://localhost:${config.PORT}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    await gifchat.close();
    await db.close();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  // Known startup failures are one line naming the way out; anything else is a bug worth a trace.
  if (err instanceof ConfigError || err instanceof NoDatabase) {
    process.stderr.write(`gifchat: ${err.message}\n`);
  } else {
    process.stderr.write(
      `gifchat: could not start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
  }
  process.exit(1);
});
