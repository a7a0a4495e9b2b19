import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import type { Config } from '../config';
import { LIMITS, type ClientConfig } from '../limits';

/** Versioned assets live under /static/<version>/, the version being a digest of their contents. */
export const STATIC_PREFIX = '/static';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(full);
    return entry.isFile() ? [full] : [];
  });
}

/** A digest of every file under `dir`, names and contents: any change to any asset changes it. */
export function contentHash(dir: string): string {
  const hash = createHash('sha256');
  for (const file of files(dir).sort()) {
    hash.update(path.relative(dir, file).split(path.sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The server's limits, as the browser is told them. */
export function clientConfig(config: Pick<Config, 'MAX_GIF_BYTES' | 'TYPING_TIMEOUT_MS'>) {
  return {
    ...LIMITS,
    maxGifBytes: config.MAX_GIF_BYTES,
    typingTimeoutMs: config.TYPING_TIMEOUT_MS,
  } satisfies ClientConfig;
}

/**
 * Serves `dir` under /static/<version>/ with immutable caching (`files`), so a deploy never runs
 * stale scripts and a browser never asks twice; module imports are relative, so they stay in that
 * version. Gives templates `asset('js/chat/main.js')` (that URL), `limits` and `clientConfigJson`
 * (`locals`, which pages need before the files are looked at).
 * The digest is taken once, here: in development, where files change under a running server, and
 * for another version's URL (a page from a process not yet or no longer deployed), the files are
 * served as they are now, to be revalidated.
 */
export function assets(dir: string, config: Config): { files: Router; locals: RequestHandler } {
  const version = contentHash(dir);
  const frozen = config.NODE_ENV !== 'development';
  const options = { index: false, redirect: false } as const;
  const forever = express.static(dir, { ...options, immutable: true, maxAge: '365d' });
  const revalidate = express.static(dir, { ...options, maxAge: 0 });
  const limits = clientConfig(config);
  const locals = {
    asset: (file: string) => `${STATIC_PREFIX}/${version}/${file}`,
    limits,
    clientConfigJson: JSON.stringify(limits),
  };

  const files = Router();
  files.use(`${STATIC_PREFIX}/:version`, (req, res, next) =>
    (frozen && req.params.version === version ? forever : revalidate)(req, res, next),
  );
  return {
    files,
    locals: (_req, res, next) => {
      Object.assign(res.locals, locals);
      next();
    },
  };
}

/**
 * `dir` served as it is (unversioned URLs such as /css/app.css), looked for on disk only for paths
 * under its own top-level entries: a page (`/`, `/room/…`) costs no `stat` and no 404 error object.
 */
export function publicFiles(dir: string): RequestHandler {
  const top = new Set(readdirSync(dir));
  const serve = express.static(dir, { maxAge: '1h', index: false, redirect: false });
  return (req, res, next) => {
    const first = req.path.split('/', 2)[1] ?? '';
    if (top.has(first)) void serve(req, res, next);
    else next();
  };
}
