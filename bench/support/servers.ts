/* How each server of the comparison is started: GifChat as `npm start` runs it (development) and in
 * production, the classic app, and the physical limits (bare route, raw Socket.IO, multer without
 * and with the checks). */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROBE, startServer, tsNode, type Server } from './process';

export type Kind = 'bare' | 'floor' | 'raw' | 'multer' | 'checked' | 'classic' | 'dev' | 'prod';

export const LABELS: Record<Kind, string> = {
  bare: 'bare Express route',
  floor: 'raw Socket.IO insert + broadcast',
  raw: 'raw Socket.IO',
  multer: 'plain multer to disk',
  checked: 'multer with the checks',
  classic: 'classic app',
  dev: 'GifChat `npm start`',
  prod: 'GifChat production',
};

const TARGET_FILES: Partial<Record<Kind, string>> = {
  bare: 'bench/targets/bare.ts',
  floor: 'bench/targets/floor.ts',
  raw: 'bench/targets/raw-socketio.ts',
  multer: 'bench/targets/multer.ts',
  checked: 'bench/targets/multer-checked.ts',
  classic: 'bench/classic/app.ts',
};

/** GifChat's secret in production (any long random one). */
export const PROD_SECRET = randomBytes(24).toString('hex');
/** `npm start` without a .env uses the example secret (development allows it). */
export const DEV_SECRET = 'change-me-to-a-long-random-string';

export const isGifChat = (kind: Kind) => kind === 'dev' || kind === 'prod';

/**
 * Starts one server on its own database. GifChat runs `node dist/src/server.js`, exactly what
 * `npm start` runs after its `prestart` build (done once per run), with NODE_ENV as `npm start`
 * leaves it (development) or production. `env` adds settings (GifChat's config variables).
 */
export async function start(
  kind: Kind,
  mongoUrl: string,
  env: Record<string, string> = {},
): Promise<Server> {
  const uploads = await mkdtemp(path.join(os.tmpdir(), `gifchat-bench-${kind}-`));
  const common = { MONGO_URL: mongoUrl, UPLOAD_DIR: uploads };
  if (isGifChat(kind)) {
    return startServer({
      name: LABELS[kind],
      command: [process.execPath, ...PROBE, 'dist/src/server.js'],
      ready: '/healthz',
      env: {
        ...common,
        NODE_ENV: kind === 'dev' ? 'development' : 'production',
        SESSION_SECRET: kind === 'dev' ? DEV_SECRET : PROD_SECRET,
        ...env,
      },
    });
  }
  return startServer({
    name: LABELS[kind],
    command: tsNode(TARGET_FILES[kind]!),
    env: { ...common, NODE_ENV: 'development', ...env },
  });
}

export const secretOf = (kind: Kind) => (kind === 'prod' ? PROD_SECRET : DEV_SECRET);
