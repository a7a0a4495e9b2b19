/* Servers under measurement, each in its own child process: started on a free port, waited for,
 * measured from outside (/proc) and stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface Server {
  name: string;
  url: string;
  port: number;
  pid: number;
  /** Resident memory of the process now, in bytes (from /proc). */
  rss(): Promise<number>;
  /** Resident memory and live heap right after a full garbage collection, in bytes (probe.js). */
  settled(): Promise<Memory>;
  stop(): Promise<void>;
}

export interface Memory {
  rss: number;
  heapUsed: number;
}

export interface ServerSpec {
  name: string;
  /** The command and its arguments (run from the project root). */
  command: string[];
  env?: Record<string, string>;
  /** A path that answers once the server is ready (any status). */
  ready?: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A TypeScript file of bench/ run by ts-node (transpile only), as `npm run bench` runs. */
export const tsNode = (file: string): string[] => [
  process.execPath,
  ...PROBE,
  '-r',
  'ts-node/register/transpile-only',
  path.join(ROOT, file),
];

/** Node flags every measured server gets: GC on demand through the probe (nothing else changes). */
export const PROBE = [
  '--expose-gc',
  '-r',
  path.join(ROOT, 'bench', 'support', 'probe.js'),
  // e.g. BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile every server.
  ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
];

export async function startServer(spec: ServerSpec): Promise<Server> {
  const port = await freePort();
  const probeDir = await mkdtemp(path.join(os.tmpdir(), 'gifchat-bench-probe-'));
  const probeFile = path.join(probeDir, 'memory.json');
  const [cmd, ...args] = spec.command;
  const child = spawn(cmd!, args, {
    cwd: ROOT,
    // Request logs (morgan) go nowhere, the same for every server.
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...spec.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      BENCH_PROBE_FILE: probeFile,
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, `${url}${spec.ready ?? '/'}`, () => stderr, spec.name);
  return {
    name: spec.name,
    url,
    port,
    pid: child.pid!,
    rss: () => rssOf(child.pid!),
    settled: async () => {
      await rm(probeFile, { force: true });
      child.kill('SIGUSR2');
      for (let i = 0; i < 200; i++) {
        const text = await readFile(probeFile, 'utf8').catch(() => '');
        if (text) return JSON.parse(text) as Memory;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${spec.name} did not report its memory`);
    },
    stop: async () => {
      await stop(child);
      await rm(probeDir, { recursive: true, force: true });
    },
  };
}

async function waitReady(child: ChildProcess, url: string, stderr: () => string, name: string) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited (${child.exitCode}): ${stderr().trim().slice(-1500)}`);
    try {
      await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not answer ${url} within 120 s: ${stderr().slice(-1500)}`);
}

export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Runs a command to its end; resolves with its stdout (rejects with stderr on failure). */
export function run(command: string[], env: Record<string, string> = {}): Promise<string> {
  const [cmd, ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${command.join(' ')} (${code}): ${err}${out.slice(-2000)}`)),
    );
  });
}
