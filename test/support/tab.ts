import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { io, type Socket } from 'socket.io-client';
import type { JoinData } from '../../src/sockets/events';
import type { ChatMessage } from '../../src/services/types';
import type { TcpProxy } from './proxy';

/**
 * A browser tab of a room, in Node: what public/js/chat does to stay caught up, step by step, over
 * its own network (a TcpProxy). Keep it in step with the browser code:
 *   room.js     join on every connect with `after` = the last seq heard over the socket, less
 *               REJOIN_OVERLAP (another process's N can come after this one's N+1); a join
 *               that is not answered drops the connection and tries again
 *   messages.js each message once by seq, in seq order; a repeat changes nothing
 *   timeline.js a truncated replay forgets what lies before the replay; history pages it back
 *   history.js  GET /room/:id/chats?before=FIRST, a page at a time; a page that left while the
 *               list was cut short is thrown away
 *   outbox.js   sends with a cid over the socket when joined, else over HTTP; unanswered sends go
 *               again (1, 2, 4… s, at once on a rejoin); refused as not_participant, after a join
 *   net.js      acknowledgements give up after 10 s, requests after 15 s (`unanswered`)
 */

const ACK_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
const REJOIN_OVERLAP = 50;
const JOIN_LATER = new Set(['too_many_requests', 'slow_down']);
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15_000;

type ErrorPayload = { code: string; message: string; params?: Record<string, unknown> };
type Reply<T> = { ok: true; data: T } | { ok: false; error: ErrorPayload; unanswered?: true };

const unanswered = (): Reply<never> => ({
  ok: false,
  error: { code: 'no_answer', message: 'no answer' },
  unanswered: true,
});

export interface TabOptions {
  name: string;
  room: string;
  proxy: TcpProxy;
  cookie: string;
  csrf: string;
  /** After a truncated rejoin the reader scrolls up at once (else only at the end). */
  scrollsUp?: boolean;
}

export class Tab {
  /** The messages shown, by seq (messages.js' bySeq). */
  readonly held = new Map<number, ChatMessage>();
  /** Sends the server answered with the saved message. */
  readonly acknowledged: ChatMessage[] = [];
  /** Sends refused (not retried): each with its reason. */
  readonly refused: { cid: string; code: string }[] = [];
  /** What went wrong that a browser would show wrongly (one message under two seqs…). */
  readonly problems: string[] = [];
  pid = '';
  /** Older pages exist before the first message held (history.js' "older" button shown). */
  more = false;
  ended = false;
  joins = 0;
  /** Rejoins whose replay was cut short (more missed than a join replays). */
  truncations = 0;

  private socket!: Socket;
  /** The last seq up to which this tab has heard everything (room.js' `heard`). */
  private heard = 0;
  private joined = false;
  /** The connection whose join is on its way: the seqs heard over it so far. */
  private joining: { first: number; top: number } | null = null;
  private connection = 0;
  /** Bumped when the list is cut short: a history page asked for before it is thrown away. */
  private cuts = 0;
  private paging: Promise<'loaded' | 'failed' | 'none'> | null = null;
  private readonly pauses = new Set<() => void>();
  private readonly joinWaiters = new Set<() => void>();
  private readonly sending = new Set<Promise<void>>();
  private readonly agent = new http.Agent({ keepAlive: true });
  private timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: TabOptions) {}

  /** The page load: the room page admits the person and shows the newest page of history. */
  async open(): Promise<void> {
    for (;;) {
      const page = await this.request<string>('GET', `/room/${this.options.room}`);
      const history = page.ok && (await this.request<Page>('GET', this.chatsUrl()));
      if (history && history.ok) {
        for (const m of history.data.messages) this.show(m);
        this.more = history.data.messages.length > 0 && history.data.messages[0]!.seq > 1;
        break;
      }
      await this.sleep(500);
    }
    // The page's history is whole up to its newest message: the first join asks for what followed.
    this.heard = this.lastSeq();
    this.socket = io(`${this.options.proxy.url}/chat`, {
      extraHeaders: { cookie: this.options.cookie },
      transports: ['websocket'],
      forceNew: true,
    });
    this.socket.on('connect', () => void this.onConnect());
    this.socket.on('disconnect', (reason) => {
      this.joined = false;
      this.joining = null;
      if (this.ended) return;
      // room.js: Socket.IO does not reconnect by itself after a server-side disconnect.
      if (reason === 'io server disconnect') this.later(1000, () => this.socket.connect());
    });
    const arrived = (m: ChatMessage) => {
      if (!m?.room || m.room === this.options.room) this.arrived(m);
    };
    for (const event of ['chat', 'join', 'exit', 'whisper']) this.socket.on(event, arrived);
    this.socket.on('kicked', () => this.end('kicked'));
    this.socket.on('removeRoom', () => this.end('room removed'));
  }

  get name(): string {
    return this.options.name;
  }

  get room(): string {
    return this.options.room;
  }

  /** Sends not answered yet. */
  pendingSends(): number {
    return this.sending.size;
  }

  get isJoined(): boolean {
    return this.joined && this.socket.connected;
  }

  /** Sends text as the outbox does; resolves once it is saved or refused. */
  send(text: string, via?: 'http'): Promise<void> {
    const cid = randomUUID();
    const work = this.deliver(text, cid, via).finally(() => this.sending.delete(work));
    this.sending.add(work);
    return work;
  }

  /** Resolves once every send made so far is answered. */
  async sent(): Promise<void> {
    while (this.sending.size) await Promise.allSettled([...this.sending]);
  }

  /** The reader scrolls to the top: older pages until there are none. */
  async readAll(): Promise<void> {
    while (this.more && !this.ended) {
      const reply = await this.loadOlder();
      if (reply === 'failed') await this.sleep(500);
    }
  }

  lastSeq(): number {
    return this.held.size ? Math.max(...this.held.keys()) : 0;
  }

  firstSeq(): number | undefined {
    return this.held.size ? Math.min(...this.held.keys()) : undefined;
  }

  close(): void {
    this.ended = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.socket?.disconnect();
    this.agent.destroy();
    for (const wake of [...this.pauses]) wake();
    for (const wake of [...this.joinWaiters]) wake();
  }

  // — room.js —

  private async onConnect(): Promise<void> {
    const connection = ++this.connection;
    const after = Math.max(0, this.heard - REJOIN_OVERLAP);
    this.joining = { first: Infinity, top: after };
    const reply = await this.ack<JoinData>('join', { room: this.options.room, after });
    // Answered over a connection that is gone since (or after a later connect): nothing to do.
    if (connection !== this.connection || !this.socket.connected) return;
    const heardOver = this.joining ?? { first: Infinity, top: after };
    this.joining = null;
    if (!reply.ok) {
      // No answer (the network slept through it): this connection is no use; a new one joins.
      if (reply.unanswered || JOIN_LATER.has(reply.error.code)) {
        this.socket.disconnect();
        this.later(1000, () => this.ended || this.socket.connect());
        return;
      }
      return this.end(`join refused: ${reply.error.code}`);
    }
    this.pid = reply.data.pid;
    // Everything up to the newest seq heard over this connection is here now: the replay
    // (all, or its newest part) came before the answer, and live messages since the attach.
    if (reply.data.truncated) {
      this.skipBefore(heardOver.first);
      if (this.options.scrollsUp) void this.readAll();
    }
    this.heard = Math.max(this.heard, heardOver.top);
    this.joined = true;
    this.joins += 1;
    for (const wake of [...this.joinWaiters]) wake();
    for (const wake of [...this.pauses]) wake();
  }

  private arrived(m: ChatMessage): void {
    this.show(m);
    if (this.joining) {
      this.joining.first = Math.min(this.joining.first, m.seq);
      this.joining.top = Math.max(this.joining.top, m.seq);
    } else if (this.joined) {
      // Live, after the join: the server sends a room's messages in seq order.
      this.heard = Math.max(this.heard, m.seq);
    }
  }

  private end(why: string): void {
    if (!this.ended) this.problems.push(`${this.options.name} ended: ${why}`);
    this.close();
  }

  // — messages.js / timeline.js —

  private show(m: ChatMessage, fromHistory = false): void {
    if (typeof m?.seq !== 'number') return;
    // timeline.js: while older pages remain, nothing older than the first shown goes in but pages.
    const first = this.firstSeq();
    if (!fromHistory && this.more && first !== undefined && m.seq < first) return;
    const had = this.held.get(m.seq);
    if (had && had._id !== m._id)
      this.problems.push(`${this.options.name}: seq ${m.seq} is both ${had._id} and ${m._id}`);
    if (!had) this.held.set(m.seq, m);
  }

  /** A truncated replay: what lies before it goes, and history pages back from its first. */
  private skipBefore(first: number): void {
    for (const seq of [...this.held.keys()]) if (seq < first) this.held.delete(seq);
    this.cuts += 1;
    this.truncations += 1;
    this.more = true;
  }

  // — history.js —

  /** One page at a time: a second caller waits for the page on its way (history.js). */
  private loadOlder(): Promise<'loaded' | 'failed' | 'none'> {
    return (this.paging ??= this.loadPage().finally(() => (this.paging = null)));
  }

  private async loadPage(): Promise<'loaded' | 'failed' | 'none'> {
    const first = this.firstSeq();
    if (first === undefined || !this.more) return 'none';
    const cuts = this.cuts;
    const reply = await this.request<Page>('GET', `${this.chatsUrl()}?before=${first}`);
    if (!reply.ok) return 'failed';
    // The list was cut short meanwhile: this page would leave a hole above it.
    if (cuts !== this.cuts) return 'loaded';
    for (const m of reply.data.messages) this.show(m, true);
    this.more = reply.data.more;
    return 'loaded';
  }

  private chatsUrl(): string {
    return `/room/${this.options.room}/chats`;
  }

  // — outbox.js —

  private async deliver(text: string, cid: string, via?: 'http'): Promise<void> {
    const payload = { chat: text, cid };
    const attempt = (): Promise<Reply<ChatMessage>> =>
      this.isJoined && via !== 'http'
        ? this.ack<ChatMessage>('chat', payload)
        : this.request<ChatMessage>('POST', `/room/${this.options.room}/chat`, payload);
    for (;;) {
      const joins = this.joins;
      const reply = await this.untilAnswered(attempt);
      if (reply.ok) {
        this.show({ ...reply.data, cid });
        this.acknowledged.push(reply.data);
        return;
      }
      if (this.ended) return;
      // Refused because this tab is not back in the room yet: after its next join, again.
      if (reply.error.code === 'not_participant') {
        if (this.joins === joins) await this.nextJoin();
        continue;
      }
      this.refused.push({ cid, code: reply.error.code });
      return;
    }
  }

  private async untilAnswered<T>(attempt: () => Promise<Reply<T>>): Promise<Reply<T>> {
    for (let tries = 0; ; tries += 1) {
      const reply = await attempt();
      if (reply.ok || !reply.unanswered || this.ended) return reply;
      await this.pause(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** tries));
    }
  }

  private nextJoin(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.joinWaiters.delete(wake);
        resolve();
      };
      this.joinWaiters.add(wake);
      if (this.ended) wake();
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.pauses.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.timers.add(timer);
      this.pauses.add(wake);
    });
  }

  // — net.js —

  private ack<T>(event: string, payload: unknown): Promise<Reply<T>> {
    return new Promise((resolve) =>
      this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emit(event, payload, (err: Error | null, reply?: Reply<T>) =>
          resolve(err || !reply ? unanswered() : reply),
        ),
    );
  }

  private request<T>(method: string, path: string, json?: unknown): Promise<Reply<T>> {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const headers: Record<string, string> = {
      cookie: this.options.cookie,
      'x-csrf-token': this.options.csrf,
      accept: 'application/json',
    };
    if (body) headers['content-type'] = 'application/json';
    return new Promise((resolve) => {
      let done = false;
      const finish = (reply: Reply<T>) => {
        if (done) return;
        done = true;
        resolve(reply);
      };
      const req = http.request(
        `${this.options.proxy.url}${path}`,
        { method, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () => finish(unanswered()));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown = text;
            if (/json/.test(String(res.headers['content-type']))) {
              try {
                parsed = JSON.parse(text);
              } catch {
                return finish(unanswered());
              }
            }
            finish(replyOf<T>(status, parsed));
          });
        },
      );
      // The request as a whole, not only an idle socket, has its time (a network asleep says nothing).
      const timer = setTimeout(() => req.destroy(new Error('timeout')), REQUEST_TIMEOUT_MS);
      req.on('close', () => clearTimeout(timer));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => finish(unanswered()));
      req.end(body);
    });
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }
}

interface Page {
  messages: ChatMessage[];
  more: boolean;
}

function replyOf<T>(status: number, body: unknown): Reply<T> {
  if (status >= 200 && status < 300) return { ok: true, data: body as T };
  if (status === 0 || status >= 500) return unanswered();
  const error = (body as { error?: Partial<ErrorPayload> } | null)?.error;
  return {
    ok: false,
    error: { code: error?.code ?? `http_${status}`, message: error?.message ?? '' },
  };
}
