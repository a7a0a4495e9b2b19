import type { Types } from 'mongoose';
import {
  Message,
  deleteMessages,
  deleteWhatHangsOn,
  messageIdFor,
  SYSTEM_TEXT,
  type MessageDoc,
  type SystemKind,
} from '../models/message.model';
import { Restarting } from '../errors';
import { Batches } from '../lib/batches';
import { isDuplicateKey } from '../lib/mongo';
import type { Person } from '../lib/identity';
import { roomIdOf, type RoomId } from '../lib/room-id';
import { liveProcesses } from '../models/process.model';
import { HandedWindow, type WindowDoc } from '../models/window.model';
import type { Logger } from '../logger';
import { RecentMessages } from './recent';
import { storeMessages } from './message-writes';
import { SeqOrder, type Place } from './seq-order';
import type { ChatMessage, Notifier, ReplyRef } from './types';

export const HISTORY_PAGE = 50;
/** The rooms (used last) whose newest messages a closing process hands over to the next. */
const HANDED_ROOMS = 200;

export interface ChatDependencies {
  notifier: Notifier;
  /**
   * Told the media URLs (gif, poster, video) of messages just deleted: it removes the files no
   * other message uses.
   */
  releaseMedia: (urls: string[]) => Promise<void>;
  logger: Logger;
  typingTimeoutMs: number;
  /** The most missed messages one join replays. */
  replayMax: number;
  /** True when this process serves the site alone: it may keep rooms' newest messages in memory. */
  alone: boolean;
}

type Draft = Pick<MessageDoc, 'user'> &
  Partial<
    Pick<MessageDoc, '_id' | 'pid' | 'nick' | 'chat' | 'to' | 'kind' | 'name' | 'cid' | 'replyTo'> &
      GifContent
  >;

/** What a GIF message carries besides its sender. */
export type GifContent = Pick<
  ChatMessage,
  'gif' | 'poster' | 'video' | 'width' | 'height' | 'gifName'
>;

export function toChatMessage(doc: MessageDoc): ChatMessage {
  const msg: ChatMessage = {
    _id: String(doc._id),
    room: String(doc.room),
    seq: doc.seq,
    user: doc.user,
    createdAt: doc.createdAt.toISOString(),
  };
  for (const key of ['pid', 'nick', 'chat', 'gif', 'to', 'cid'] as const) {
    const value = doc[key];
    if (value != null) msg[key] = value;
  }
  for (const key of ['poster', 'video', 'gifName'] as const) {
    const value = doc[key];
    if (value != null) msg[key] = value;
  }
  if (doc.width != null && doc.height != null)
    Object.assign(msg, { width: doc.width, height: doc.height });
  const system = doc.user === 'system' ? (doc.kind ? doc : olderSystem(doc.chat)) : undefined;
  if (system?.kind) Object.assign(msg, { kind: system.kind, name: system.name ?? '' });
  return withConversation(msg, doc);
}

/** Replies, edits and deletions (services/conversation.ts) as browsers see them. */
function withConversation(msg: ChatMessage, doc: MessageDoc): ChatMessage {
  if (doc.replyTo?._id) msg.replyTo = { ...doc.replyTo } as ChatMessage['replyTo'];
  if (doc.editedAt) msg.editedAt = doc.editedAt.toISOString();
  if (doc.deleted) {
    for (const key of ['chat', 'gif', 'poster', 'video', 'width', 'height', 'gifName'] as const)
      delete msg[key];
    delete msg.replyTo;
    msg.deleted = true;
  }
  return msg;
}

// Messages stored before system messages carried `kind` and `name` say it in English only: read
// them once here, so every reader (pages, scripts) translates by kind, never by English text.
const OLDER_SYSTEM = Object.entries(SYSTEM_TEXT).map(([kind, text]) => ({
  kind: kind as SystemKind,
  suffix: ` ${text}`,
}));

function olderSystem(chat: string | null | undefined): { kind?: SystemKind; name?: string } {
  const found = OLDER_SYSTEM.find(({ suffix }) => chat?.endsWith(suffix));
  return found && chat ? { kind: found.kind, name: chat.slice(0, -found.suffix.length) } : {};
}

/** Messages, history and GIF files. Sequence numbers come from an in-process counter per room, made
 * safe across processes by the unique (room, seq) index: a collision re-reads the top and retries.
 * Messages are announced in seq order (SeqOrder), however their writes end. */
export class ChatService {
  private readonly order: SeqOrder;
  /** A room's messages are stored together when they come together (see Batches). */
  private readonly writes = new Batches<object, MessageDoc>(storeMessages);
  /** Rooms whose newest stored seq is being read, for their first message since this process began. */
  private readonly starts = new Map<string, Promise<void>>();
  private readonly typists = new Map<string, NodeJS.Timeout>();
  private readonly recent: RecentMessages;
  /** Saves under way (a shutdown waits for them), and the refusal once it has begun. */
  private readonly saving = new Set<Promise<unknown>>();
  private refusal?: Restarting;
  /** Windows being read from the database, by room. */
  private readonly reading = new Map<RoomId, Promise<void>>();
  /** The messages the last retention pass deleted (see deleteOlderThan). */
  private retired: Types.ObjectId[] = [];

  constructor(private readonly deps: ChatDependencies) {
    this.order = new SeqOrder((err) =>
      deps.logger.error('announcing a message failed', { err: String(err) }),
    );
    this.recent = new RecentMessages({
      enabled: deps.alone,
      perRoom: Math.max(deps.replayMax, HISTORY_PAGE * 4),
      rooms: 2_000,
    });
  }

  /**
   * Saves a message, then pushes it to the room. With a client id (`cid`), a repeated send (a retry
   * after a lost answer) answers with the message the first one made, and nobody hears it twice.
   */
  async post(
    room: RoomId,
    person: Person,
    content: { chat?: string; replyTo?: ReplyRef } & GifContent,
    cid?: string,
  ): Promise<ChatMessage> {
    const draft: Draft = { user: person.user, pid: person.pid, nick: person.nick, ...content };
    if (cid) Object.assign(draft, { _id: messageIdFor(room, person.pid, cid), cid });
    return this.insert(room, draft, (saved) => {
      this.typing(room, person, false);
      this.deps.notifier.chat(room, saved);
    });
  }

  async whisper(room: RoomId, from: Person, to: string, chat: string): Promise<ChatMessage> {
    const draft: Draft = { user: from.user, pid: from.pid, nick: from.nick, chat, to };
    return this.insert(room, draft, (saved) => {
      this.typing(room, from, false);
      this.deps.notifier.whisper(room, saved, [from.pid, to]);
    });
  }

  async system(room: RoomId, kind: SystemKind, name: string): Promise<ChatMessage> {
    const chat = `${name} ${SYSTEM_TEXT[kind]}`;
    return this.insert(room, { user: 'system', kind, name, chat }, (saved) =>
      this.deps.notifier.system(room, kind === 'joined' ? 'join' : 'exit', saved),
    );
  }

  /**
   * Typing state per person: only changes are broadcast (that is the throttle), and a person who
   * stops sending `typing` is cleared after `typingTimeoutMs`.
   */
  typing(room: RoomId, who: Pick<Person, 'pid' | 'user' | 'nick'>, typing: boolean): void {
    const key = `${room}\n${who.pid}`;
    const timer = this.typists.get(key);
    clearTimeout(timer);
    if (!typing) {
      if (!this.typists.delete(key)) return;
    } else {
      this.typists.set(
        key,
        setTimeout(() => this.typing(room, who, false), this.deps.typingTimeoutMs),
      );
      if (timer) return;
    }
    this.deps.notifier.typing(room, { pid: who.pid, user: who.user, nick: who.nick }, typing);
  }

  /** A saved message changed (edited, deleted): the newest messages kept in memory follow. */
  changed(message: ChatMessage): void {
    this.recent.replace(message);
  }

  /**
   * A shutdown's point of no return: every save from now on is refused (503 `restarting`; clients
   * send it again, with the same client id, once reconnected), so none is begun that the closing
   * database could cut. Resolves once the saves already begun are done.
   */
  async refuseSaves(retryAfter: number): Promise<void> {
    this.refusal = new Restarting(retryAfter);
    await Promise.allSettled([...this.saving]);
  }

  close(): void {
    for (const timer of this.typists.values()) clearTimeout(timer);
    this.typists.clear();
  }

  /**
   * The last step of closing a process that served the site alone, once nothing can be saved,
   * edited or deleted any more: the newest messages of the rooms used last are written down for
   * the next process (`resume`), so its first join or message in a busy room needs no scan of
   * every stored message (seconds over FerretDB/SQLite with 100,000 of them).
   */
  async handOver(writer: string): Promise<void> {
    if (!this.deps.alone) return;
    const at = new Date();
    const docs = this.recent.newest(HANDED_ROOMS).map(({ room, messages, fromStart }) => ({
      _id: room,
      writer,
      at,
      messages,
      fromStart,
    }));
    await HandedWindow.deleteMany({});
    if (docs.length) await HandedWindow.insertMany(docs, { ordered: false });
  }

  /**
   * Starts from the windows the process before this one handed over, if it was the last to run:
   * another process seen after they were written (one started before the last one stopped, say)
   * may have saved messages they miss, so they are not used then. Read once, then deleted.
   */
  async resume(me: string): Promise<void> {
    if (!this.deps.alone) return;
    const docs = await HandedWindow.find({}).lean<WindowDoc[]>();
    await HandedWindow.deleteMany({});
    const first = docs[0];
    if (!first) return;
    const others = await liveProcesses(first.at);
    others.delete(me);
    others.delete(first.writer);
    const whole = docs.every((d) => d.writer === first.writer && +d.at === +first.at);
    if (others.size > 0 || !whole) {
      this.deps.logger.warn('windows handed over not used: another process ran since', {
        writer: first.writer,
      });
      return;
    }
    for (const doc of docs) this.recent.restore(roomIdOf(doc._id), doc.messages, doc.fromStart);
  }

  /** The latest page before `before` (or the newest), oldest first, whispers only for their two people. */
  async history(room: RoomId, viewerPid: string, before?: number): Promise<ChatMessage[]> {
    await this.ensureRecent(room);
    const kept = this.recent.page(room, viewerPid, HISTORY_PAGE, before);
    if (kept) return kept;
    const filter = {
      ...this.visibleTo(room, viewerPid),
      ...(before != null ? { seq: { $lt: before } } : {}),
    };
    const docs = await Message.find(filter)
      .sort({ seq: -1 })
      .limit(HISTORY_PAGE)
      .lean<MessageDoc[]>();
    return docs.reverse().map(toChatMessage);
  }

  /**
   * What a reconnecting browser missed after `after`, in order: at most the newest `replayMax`
   * (a tab back after a week gets the latest, and pages the history for the rest).
   */
  async since(
    room: RoomId,
    viewerPid: string,
    after: number,
  ): Promise<{ messages: ChatMessage[]; truncated: boolean }> {
    await this.ensureRecent(room);
    const kept = this.recent.after(room, viewerPid, after);
    if (kept)
      return {
        messages: kept.slice(-this.deps.replayMax),
        truncated: kept.length > this.deps.replayMax,
      };
    const docs = await Message.find({ ...this.visibleTo(room, viewerPid), seq: { $gt: after } })
      .sort({ seq: -1 })
      .limit(this.deps.replayMax + 1)
      .lean<MessageDoc[]>();
    const truncated = docs.length > this.deps.replayMax;
    return { messages: docs.slice(0, this.deps.replayMax).reverse().map(toChatMessage), truncated };
  }

  /** Deletes a room's messages and their GIF files (those no other message uses). */
  async purgeRoom(room: RoomId): Promise<void> {
    const media = await mediaOf({ room });
    await Message.deleteMany({ room });
    this.order.forget(room);
    this.recent.forget(room);
    await this.deps.releaseMedia(media);
  }

  /**
   * Retention: deletes up to `batch` messages older than `cutoff` (the rest on the next call),
   * with their reactions, reports and tombstones, then the files no message uses any more.
   * Returns how many were deleted.
   */
  async deleteOlderThan(cutoff: Date, batch = 5_000): Promise<number> {
    // A reaction or report made in the instant the last pass deleted its message may have landed
    // after that pass deleted theirs: they go now, a sweep later.
    if (this.retired.length) {
      await deleteWhatHangsOn(this.retired);
      this.retired = [];
    }
    const docs = await Message.find(
      { createdAt: { $lt: cutoff } },
      { _id: 1, gif: 1, poster: 1, video: 1 },
    )
      .limit(batch)
      .lean<Pick<MessageDoc, '_id' | 'gif' | 'poster' | 'video'>[]>();
    if (docs.length === 0) return 0;
    const ids = docs.map((d) => d._id);
    await deleteMessages(ids);
    this.retired = ids;
    // Kept windows may hold what was deleted: they are read again when next asked for.
    this.recent.clear();
    await this.deps.releaseMedia(urlsOf(docs));
    return docs.length;
  }

  /**
   * A room this process has just made has no messages yet: its window starts empty and whole, so
   * its first page and first message need no query (over FerretDB/SQLite one that scans every
   * stored message: seconds with 100,000 of them).
   */
  opened(room: RoomId): void {
    if (this.deps.alone) this.recent.fill(room, [], 1);
  }

  /**
   * Reads a room's newest messages into memory the first time they are asked for (once, however
   * many ask together). Messages saved while the read runs join the window: the read may miss them.
   */
  private ensureRecent(room: RoomId): Promise<void> {
    if (!this.deps.alone || this.recent.knows(room)) return Promise.resolve();
    let reading = this.reading.get(room);
    if (!reading) {
      reading = this.readRecent(room).finally(() => this.reading.delete(room));
      this.reading.set(room, reading);
    }
    return reading;
  }

  private async readRecent(room: RoomId): Promise<void> {
    const asked = Math.max(this.deps.replayMax, HISTORY_PAGE * 4);
    this.recent.reads(room);
    try {
      const docs = await Message.find({ room }).sort({ seq: -1 }).limit(asked).lean<MessageDoc[]>();
      this.recent.read(room, docs.map(toChatMessage), asked);
    } catch (err) {
      this.recent.unread(room);
      throw err;
    }
  }

  private visibleTo(room: RoomId, viewerPid: string) {
    return { room, $or: [{ to: { $exists: false } }, { pid: viewerPid }, { to: viewerPid }] };
  }

  /**
   * Stores a message under its room's next seq, then announces it (`announce`, and the window of
   * newest messages) in seq order. The seq is taken at once, without waiting for earlier messages
   * to be stored (a lock made each wait for all before it); messages that come while others are
   * being stored are stored together next (Batches), and message N+1 is announced once N is
   * stored and announced, or given up (a gap: listeners and replays skip it). A repeated client
   * id answers the stored message and announces nothing.
   */
  private insert(
    room: RoomId,
    draft: Draft,
    announce: (message: ChatMessage) => void,
  ): Promise<ChatMessage> {
    if (this.refusal) return Promise.reject(this.refusal);
    const saving = this.store(room, draft, announce);
    this.saving.add(saving);
    const done = () => void this.saving.delete(saving);
    saving.then(done, done);
    return saving;
  }

  private async store(
    room: RoomId,
    draft: Draft,
    announce: (message: ChatMessage) => void,
  ): Promise<ChatMessage> {
    let atLeast = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      const place = await this.place(room, atLeast);
      let doc;
      try {
        doc = await this.writes.add(room, { ...draft, room, seq: place.seq });
      } catch (err) {
        // Nothing of ours is stored under this seq: it becomes a gap, and later messages go on.
        const gap = place.settle();
        if (!isDuplicateKey(err)) throw err;
        // Either this message exists already (a retried send) or another writer took that seq.
        const existing = draft._id && (await Message.findById(draft._id).lean<MessageDoc>());
        if (existing) {
          // The first send may still be waiting for its turn here: answer after it is announced.
          await gap;
          return toChatMessage(existing);
        }
        // Another process took the seq: queue again after the newest stored one.
        atLeast = (await this.topSeq(room)) + 1;
        continue;
      }
      const message = toChatMessage(doc);
      await place.settle(() => {
        this.recent.add(message);
        announce(message);
      });
      return message;
    }
    throw new Error(`could not allocate a sequence number in room ${room}`);
  }

  /** The next place in a room's line; the first since this process began reads where it starts. */
  private async place(room: RoomId, atLeast: number): Promise<Place> {
    if (!this.order.knows(room)) {
      const top = this.recent.top(room);
      if (top !== undefined) this.order.start(room, top + 1);
      else await this.started(room);
    }
    return this.order.take(room, atLeast);
  }

  /** Reads a room's newest stored seq once for all the messages waiting to take their first place. */
  private started(room: RoomId): Promise<void> {
    let start = this.starts.get(room);
    if (!start) {
      start = this.topSeq(room)
        .then((top) => this.order.start(room, top + 1))
        .finally(() => this.starts.delete(room));
      this.starts.set(room, start);
    }
    return start;
  }

  private async topSeq(room: RoomId): Promise<number> {
    const top = await Message.findOne({ room }, { seq: 1 })
      .sort({ seq: -1 })
      .lean<Pick<MessageDoc, 'seq'>>();
    return top?.seq ?? 0;
  }
}

/** The media URLs of a room's GIF messages. */
async function mediaOf(filter: object): Promise<string[]> {
  const docs = await Message.find(
    { ...filter, gif: { $exists: true } },
    { gif: 1, poster: 1, video: 1 },
  ).lean<Pick<MessageDoc, 'gif' | 'poster' | 'video'>[]>();
  return urlsOf(docs);
}

function urlsOf(docs: Pick<MessageDoc, 'gif' | 'poster' | 'video'>[]): string[] {
  return [...new Set(docs.flatMap((m) => [m.gif, m.poster, m.video].filter((u) => u != null)))];
}
