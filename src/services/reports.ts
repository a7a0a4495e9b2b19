import { BadRequest, Conflict, NotFound, NotOwner } from '../errors';
import type { Person } from '../lib/identity';
import type { RoomId } from '../lib/room-id';
import { Message, type MessageDoc } from '../models/message.model';
import { decide, fileReport, isDecided, openReports } from '../models/report.model';
import { toChatMessage } from './chat.service';
import { RoomMemo } from './room-memo';
import type { ChatMessage, Notifier, ReportItem } from './types';

export interface ReportsDependencies {
  /** Distinct reporters after which a GIF is blurred for everyone (REPORTS_TO_BLUR). */
  threshold: number;
  notifier: Pick<Notifier, 'reports' | 'blur'>;
  isOwner: (room: RoomId, session: string) => boolean;
  /** The owner's public id now: the queue goes to their tabs. */
  ownerPid: (room: RoomId) => string | undefined;
  /** Removes a message for everyone (the conversation's deletion, whoever wrote it). */
  erase: (room: RoomId, id: string) => Promise<ChatMessage>;
  /** True when this process serves the site alone: it keeps rooms' report counts in memory. */
  alone: boolean;
}

/**
 * Reports: anyone may report a message of the room once; the owner sees the queue and removes the
 * message or dismisses its reports. A GIF reported by `threshold` distinct people is blurred for
 * everyone ("show anyway") until the owner decides. Counts come from the report documents.
 */
export class Reports {
  /** Reporters per undecided message. */
  private readonly counts: RoomMemo<number>;

  constructor(private readonly deps: ReportsDependencies) {
    this.counts = new RoomMemo({
      enabled: deps.alone,
      loadRoom: (room) => openReports({ room }),
      loadSome: (ids) => openReports({ messages: ids }),
    });
  }

  async report(room: RoomId, person: Person, id: string): Promise<{ reported: true }> {
    const doc = await Message.findOne({ _id: id, room }).lean<MessageDoc>();
    // Whispers stay between their two people: the owner never sees them in a queue.
    if (!doc || doc.user === 'system' || doc.deleted || doc.to)
      throw new NotFound('message_not_found');
    if (doc.pid === person.pid) throw new BadRequest('report_own');
    if (await isDecided(id)) throw new Conflict('report_closed');
    if (!(await fileReport(room, id, person.pid))) throw new Conflict('already_reported');
    const reporters = (await openReports({ messages: [id] })).get(id) ?? 0;
    this.counts.set(room, id, reporters);
    if (doc.gif && reporters >= this.deps.threshold)
      this.deps.notifier.blur(room, { room, _id: id, seq: doc.seq, blurred: true });
    await this.pushQueue(room);
    return { reported: true };
  }

  /** Owner only: the reported messages not yet decided, most reported first. */
  async queue(room: RoomId, by: string): Promise<ReportItem[]> {
    this.requireOwner(room, by);
    return this.items(room);
  }

  /** Owner only: removes the message for everyone, or dismisses its reports. */
  async decide(room: RoomId, by: string, id: string, action: 'remove' | 'dismiss') {
    this.requireOwner(room, by);
    const doc = await Message.findOne({ _id: id, room }).lean<MessageDoc>();
    if (!doc) throw new NotFound('message_not_found');
    if (!(await decide(room, id, action))) throw new Conflict('report_closed');
    this.counts.set(room, id, undefined);
    if (action === 'remove') await this.deps.erase(room, id);
    else if (doc.gif)
      this.deps.notifier.blur(room, { room, _id: id, seq: doc.seq, blurred: false });
    await this.pushQueue(room);
    return this.items(room);
  }

  /** The ids among these GIF messages of `room` that are blurred now. */
  async blurredAmong(room: RoomId, gifIds: string[]): Promise<Set<string>> {
    const counts = await this.counts.get(room, gifIds);
    return new Set([...counts].filter(([, n]) => n >= this.deps.threshold).map(([id]) => id));
  }

  private async items(room: RoomId): Promise<ReportItem[]> {
    const counts = await openReports({ room });
    if (!counts.size) return [];
    const docs = await Message.find({ _id: { $in: [...counts.keys()] } }).lean<MessageDoc[]>();
    return docs
      .filter((doc) => !doc.deleted)
      .map((doc) => {
        const reporters = counts.get(String(doc._id)) ?? 0;
        const blurred = Boolean(doc.gif) && reporters >= this.deps.threshold;
        return { message: toChatMessage(doc), reporters, blurred };
      })
      .sort((a, b) => b.reporters - a.reporters || a.message.seq - b.message.seq);
  }

  private async pushQueue(room: RoomId): Promise<void> {
    const owner = this.deps.ownerPid(room);
    if (owner) this.deps.notifier.reports(room, owner, await this.items(room));
  }

  private requireOwner(room: RoomId, session: string): void {
    if (!this.deps.isOwner(room, session)) throw new NotOwner();
  }
}
