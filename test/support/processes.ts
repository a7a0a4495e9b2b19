/**
 * Real server processes (src/server.ts) for tests, and a front door that sends each new
 * connection to the first of them that accepts it, as a load balancer in front of a site would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `src/server.ts` in its own process; resolves once it listens. */
export function serve(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'src/server.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${output}`)), 45_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
      if (!port) return;
      clearTimeout(timer);
      resolve({
        child,
        url: `http://127.0.0.1:${port}`,
        port: Number(port),
        output: () => output,
        exited,
      });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

/** Resolves once the process has written `text` (a log line), or fails after `ms`. */
export async function said(server: ServerProcess, text: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!server.output().includes(text)) {
    if (Date.now() > end) throw new Error(`no "${text}" within ${ms} ms:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface FrontDoor {
  url: string;
  close(): Promise<void>;
}

/**
 * A TCP front door on a free port: each new connection goes to the first of `ports` that accepts
 * it (a process that stopped listening refuses, so the next one gets it); none → closed.
 */
export async function frontDoor(ports: number[]): Promise<FrontDoor> {
  const open = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };
  const server = net.createServer((client) => {
    track(client);
    client.pause();
    const tryFrom = (i: number) => {
      const port = ports[i];
      if (port === undefined) return client.destroy();
      const upstream = net.connect(port, '127.0.0.1');
      upstream.once('error', () => tryFrom(i + 1));
      upstream.once('connect', () => {
        track(upstream);
        upstream.removeAllListeners('error');
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        upstream.once('error', end).once('close', end);
        client.once('error', end).once('close', end);
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    tryFrom(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
