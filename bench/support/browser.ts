/* A browser as far as the servers can tell: a cookie jar over fetch (keep-alive), pages followed
 * through redirects, and Socket.IO connections carrying its cookie. */
import { Agent, request as httpRequest } from 'node:http';
import { io, type Socket } from 'socket.io-client';

export class Browser {
  private readonly cookies = new Map<string, string>();
  /** Kept-alive connections for `post`, as a browser keeps them to a site. */
  private readonly agent = new Agent({ keepAlive: true });

  constructor(readonly base: string) {}

  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookie);
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    this.remember(res.headers.getSetCookie());
    return res;
  }

  /**
   * A POST of `body` over node:http, answered with its status and text: what the chat and upload
   * runs send with, so the load generator's own cost per request (fetch's streams and objects,
   * some 0.1 ms of this process's event loop, which also takes every member's receipts; for an
   * upload, its multipart body built anew) is not what is measured. Every server is sent to this
   * way.
   */
  post(
    path: string,
    headers: Record<string, string>,
    body: string | Buffer,
  ): Promise<{ status: number; text: string }> {
    const cookie = this.cookies.size ? { cookie: this.cookie } : {};
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        this.base + path,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...headers, ...cookie, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            this.remember(res.headers['set-cookie'] ?? []);
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private remember(setCookies: string[]): void {
    for (const set of setCookies) {
      const pair = set.split(';')[0]!;
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }

  /** A page, following same-site redirects as a browser does; fails on an error status. */
  async page(path: string, init: RequestInit = {}): Promise<{ path: string; html: string }> {
    let res = await this.request(path, init);
    for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 5; hops++) {
      await res.arrayBuffer();
      path = new URL(res.headers.get('location')!, this.base + path).pathname;
      res = await this.request(path);
    }
    const html = await res.text();
    if (res.status >= 400) throw new Error(`${path}: ${res.status} ${html.slice(0, 300)}`);
    return { path, html };
  }

  /** A /chat socket with this browser's cookie, opened from `page` (the Referer a tab sends). */
  socket(page: string): Promise<Socket> {
    const socket = io(`${this.base}/chat`, {
      extraHeaders: { cookie: this.cookie, referer: this.base + page },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }
}

export const csrfOf = (html: string) =>
  /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1] ?? '';

/** Emits with an acknowledgement and resolves with it. */
export function ask<T = { ok: boolean; error?: { code: string } }>(
  socket: Socket,
  event: string,
  payload: unknown,
): Promise<T> {
  return new Promise((resolve) => socket.emit(event, payload, resolve));
}
