import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Types } from 'mongoose';
import { Message, SYSTEM_TEXT, type MessageDoc, type SystemKind } from '../models/message.model';
import { KeyedLock } from '../lib/keyed-lock';
import { isDuplicateKey } from '../lib/mongo';
import type { Person } from '../lib/identity';
import type { Logger } from '../logger';
import type { ChatMessage, Notifier } from './types';

export const HISTORY_PAGE = 50;

export interface ChatDependencies {
  notifier: Notifier;
  uploadDir: string;
  logger: Logger;
  typingTimeoutMs: number;
}

type Draft = Pick<MessageDoc, 'user'> &
  Partial<Pick<MessageDoc, 'pid' | 'nick' | 'chat' | 'gif' | 'to' | 'kind' | 'name'>>;

export function toChatMessage(doc: MessageDoc): ChatMessage {
  const msg: ChatMessage = {
    _id: String(doc._id),
    room: String(doc.room),
    seq: doc.seq,
    user: doc.user,
    createdAt: doc.createdAt.toISOString(),
  };
  for (const key of ['pid', 'nick', 'chat', 'gif', 'to', 'name'] as const) {
    const value = doc[key];
    if (value != null) msg[key] = value;
  }
  if (doc.kind) msg.kind = doc.kind;
  return msg;
}

/** Messages, history and GIF files. Sequence numbers come from an in-process counter per room, made
 * safe across processes by the unique (room, seq) index: a collision re-reads the top and retries. */
export class ChatService {
  private readonly nextSeq = new Map<string, number>();
  private readonly writers = new KeyedLock();
  private readonly typists = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: ChatDependencies) {}

  async post(
    room: Types.ObjectId,
    person: Person,
    content: { chat?: string; gif?: string },
  ): Promise<ChatMessage> {
    const message = await this.insert(room, {
      user: person.user,
      pid: person.pid,
      nick: person.nick,
      ...content,
    });
    this.typing(String(room), person, false);
    this.deps.notifier.chat(String(room), message);
    return message;
  }

  async whisper(
    room: Types.ObjectId,
    from: Person,
    to: string,
    chat: string,
  ): Promise<ChatMessage> {
    const message = await this.insert(room, {
      user: from.user,
      pid: from.pid,
      nick: from.nick,
      chat,
      to,
    });
    this.typing(String(room), from, false);
    this.deps.notifier.whisper(String(room), message, [from.pid, to]);
    return message;
  }

  async system(room: Types.ObjectId, kind: SystemKind, name: string): Promise<ChatMessage> {
    const chat = `${name} ${SYSTEM_TEXT[kind]}`;
    const message = await this.insert(room, { user: 'system', kind, name, chat });
    this.deps.notifier.system(String(room), kind === 'joined' ? 'join' : 'exit', message);
    return message;
  }

  /**
   * Typing state per person: only changes are broadcast (that is the throttle), and a person who
   * stops sending `typing` is cleared after `typingTimeoutMs`.
   */
  typing(room: string, who: Pick<Person, 'pid' | 'user' | 'nick'>, typing: boolean): void {
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

  close(): void {
    for (const timer of this.typists.values()) clearTimeout(timer);
    this.typists.clear();
  }

  /** The latest page before `before` (or the newest), oldest first, whispers only for their two people. */
  async history(room: Types.ObjectId, viewerPid: string, before?: number): Promise<ChatMessage[]> {
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

  /** Everything after `after`, in order: what a reconnecting browser missed. */
  async since(room: Types.ObjectId, viewerPid: string, after: number): Promise<ChatMessage[]> {
    const docs = await Message.find({ ...this.visibleTo(room, viewerPid), seq: { $gt: after } })
      .sort({ seq: 1 })
      .limit(1000)
      .lean<MessageDoc[]>();
    return docs.map(toChatMessage);
  }

  /** Deletes a room's messages and their GIF files. */
  async purgeRoom(room: Types.ObjectId): Promise<void> {
    const gifs = await Message.find({ room, gif: { $exists: true } }, { gif: 1 }).lean<
      Pick<MessageDoc, 'gif'>[]
    >();
    await Message.deleteMany({ room });
    this.nextSeq.delete(String(room));
    await Promise.all(gifs.map((m) => (m.gif ? this.removeFile(path.basename(m.gif)) : undefined)));
  }

  async removeFile(name: string): Promise<void> {
    await unlink(path.join(this.deps.uploadDir, path.basename(name))).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT')
          this.deps.logger.warn('could not delete upload', { name, code: err.code });
      },
    );
  }

  private visibleTo(room: Types.ObjectId, viewerPid: string) {
    return { room, $or: [{ to: { $exists: false } }, { pid: viewerPid }, { to: viewerPid }] };
  }

  private insert(room: Types.ObjectId, draft: Draft): Promise<ChatMessage> {
    // Serialise writers of one room in this process so they do not collide with each other.
    return this.writers.run(String(room), () => this.insertWithSeq(room, draft));
  }

  private async insertWithSeq(room: Types.ObjectId, draft: Draft): Promise<ChatMessage> {
    const key = String(room);
    for (let attempt = 0; attempt < 20; attempt++) {
      let seq = this.nextSeq.get(key);
      if (seq === undefined || attempt > 0) seq = (await this.topSeq(room)) + 1;
      try {
        const doc = await Message.create({ ...draft, room, seq });
        this.nextSeq.set(key, seq + 1);
        return toChatMessage(doc.toObject());
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw new Error(`could not allocate a sequence number in room ${key}`);
  }

  private async topSeq(room: Types.ObjectId): Promise<number> {
    const top = await Message.findOne({ room }, { seq: 1 })
      .sort({ seq: -1 })
      .lean<Pick<MessageDoc, 'seq'>>();
    return top?.seq ?? 0;
  }
}
