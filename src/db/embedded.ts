import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../logger';

export interface EmbeddedDatabase {
  kind: 'mongodb-memory-server' | 'ferretdb';
  url: string;
  stop(): Promise<void>;
}

/** No database could be had; the message is the one line a person needs to read. */
export class NoDatabase extends Error {}

export interface EmbeddedOptions {
  /** Project root: holds tools/ferretdb and data/. */
  root: string;
  /** Where the FerretDB SQLite files go. */
  dataDir: string;
  logger: Logger;
  /** FerretDB's address (`host:port`); a free local port by default. Lets a test restart it in place. */
  address?: string;
}

const MMS_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** mongodb-memory-server where a mongod can be had, else the project's FerretDB launcher. */
export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const forced = process.env.GIFCHAT_EMBEDDED;
  if (forced !== 'ferretdb' && !opts.address) {
    const mms = await tryMemoryServer(opts);
    if (mms) return mms;
  }
  return startFerret(opts);
}

/** Remembers a failed mongod download for a day, so every start does not wait for it again. */
async function tryMemoryServer({
  root,
  logger,
}: EmbeddedOptions): Promise<EmbeddedDatabase | null> {
  const marker = path.join(root, 'data', '.mongodb-memory-server-unavailable');
  const failedAt = Number(await readFile(marker, 'utf8').catch(() => '0'));
  if (
    process.env.GIFCHAT_EMBEDDED !== 'mongodb-memory-server' &&
    Date.now() - failedAt < MMS_RETRY_AFTER_MS
  ) {
    logger.info('mongodb-memory-server unavailable recently; using FerretDB');
    return null;
  }
  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server');
    const server = await MongoMemoryServer.create();
    logger.info('embedded database: mongodb-memory-server');
    return {
      kind: 'mongodb-memory-server',
      url: server.getUri(),
      stop: async () => void (await server.stop()),
    };
  } catch (err) {
    logger.info(
      `mongodb-memory-server unavailable (${String((err as Error).message).split('\n')[0]}); trying FerretDB`,
    );
    await mkdir(path.dirname(marker), { recursive: true });
    await writeFile(marker, String(Date.now()));
    return null;
  }
}

const GO_SEARCH = () => (process.env.PATH ?? '').split(path.delimiter).concat('/usr/local/go/bin');

function findGo(dirs: string[]): string | null {
  for (const dir of dirs) {
    const candidate = path.join(dir, 'go');
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

/** Builds the launcher once (kept out of git under data/bin), atomically, so parallel starts are safe. */
export async function ensureFerretBinary({
  root,
  logger,
  goSearch = GO_SEARCH(),
}: Pick<EmbeddedOptions, 'root' | 'logger'> & { goSearch?: string[] }): Promise<string> {
  const bin = path.join(root, 'data', 'bin', 'ferretdb');
  if (existsSync(bin)) return bin;
  const go = findGo(goSearch);
  if (!go) throw new NoDatabase('no database: set MONGO_URL or install Go');
  logger.info('building the embedded database (first run only)…');
  await mkdir(path.dirname(bin), { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const output = await run(go, ['build', '-o', tmp, '.'], path.join(root, 'tools', 'ferretdb'));
  if (output.code !== 0)
    throw new NoDatabase(
      `no database: building FerretDB failed (${output.tail.trim()}); set MONGO_URL`,
    );
  await rename(tmp, bin);
  return bin;
}

async function startFerret(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const bin = await ensureFerretBinary(opts);
  await mkdir(opts.dataDir, { recursive: true });
  const listen = opts.address ?? '127.0.0.1:0';
  const child = spawn(bin, ['--listen', listen, '--dir', opts.dataDir, '--watch-stdin'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const address = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on(
      'line',
      (line) => line.startsWith('listening ') && resolve(line.slice('listening '.length).trim()),
    );
    child.once('exit', (code) =>
      reject(new NoDatabase(`no database: FerretDB exited (${code}): ${lastLine(stderr)}`)),
    );
    child.once('error', (err) =>
      reject(new NoDatabase(`no database: FerretDB did not start (${err.message})`)),
    );
  });
  opts.logger.info(`embedded database: FerretDB on ${address}`);
  return { kind: 'ferretdb', url: `mongodb://${address}/`, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-500));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => resolve({ code: 1, tail: err.message }));
    child.on('exit', (code) => resolve({ code: code ?? 1, tail: lastLine(tail) }));
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
