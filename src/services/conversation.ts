import { AppError, BadRequest, Conflict, NotFound } from '../errors';
import type { Person } from '../lib/identity';
import type { RoomId } from '../lib/room-id';
import { LIMITS } from '../limits';
import { claimDeletion, isDeleted } from '../models/deletion.model';
import { Message, type MessageDoc } from '../models/message.model';
import {
  addReaction,
  deleteReactionsOf,
  removeReaction,
  talliesOf,
  type Tally,
} from '../models/reaction.model';
import { RoomMemo } from './room-memo';
import { toChatMessage, type ChatService } from './chat.service';
import type { ChatMessage, Notifier, ReactionUpdate, ReplyRef } from './types';

export interface ConversationDependencies {
  notifier: Pick<Notifier, 'conversation'>;
  chat: Pick<ChatService, 'changed'>;
  /** Removes the files of these media URLs that no message uses any more (the GIFs' rule). */
  releaseMedia: (urls: string[]) => Promise<void>;
  /** The GIFs among these that enough people reported to blur (the reports' rule). */
  blurred?: (room: RoomId, gifIds: string[]) => Promise<Set<string>>;
  /** True when this process serves the site alone: it keeps rooms' reactions in memory. */
  alone: boolean;
}

/** What deleting a message leaves of it: the "deleted" line, nothing of its content. */
export const SCRUB = {
  $set: { deleted: true },
  $unset: {
    chat: 1,
    gif: 1,
    poster: 1,
    video: 1,
    width: 1,
    height: 1,
    gifName: 1,
    replyTo: 1,
  },
};

/**
 * Conversation tools on saved messages: replies (a quote of the message answered), reactions (one
 * of each emoji per person per message, counted from their documents), and editing or deleting
 * one's own messages (delete wins over an edit racing it). Whispers stay between their two people.
 */
export class Conversation {
  private readonly tallies: RoomMemo<Tally>;

  constructor(private readonly deps: ConversationDependencies) {
    this.tallies = new RoomMemo({
      enabled: deps.alone,
      loadRoom: (room) => talliesOf({ room }),
      loadSome: (ids) => talliesOf(ids),
    });
  }

  /** The quote a reply carries of message `id`, which the replier must be able to see. */
  async quote(room: RoomId, viewer: string, id: string): Promise<ReplyRef> {
    const doc = await this.visible(room, viewer, id);
    if (doc.deleted || doc.user === 'system') throw new NotFound('message_not_found');
    const ref: ReplyRef = {
      _id: String(doc._id),
      seq: doc.seq,
      nick: doc.nick ?? doc.user,
      snippet: (doc.chat ?? '').slice(0, LIMITS.snippet.max),
    };
    if (doc.gif) ref.gif = true;
    return ref;
  }

  /** Adds (`on`) or takes back a reaction; a second identical one is refused and changes nothing. */
  async react(room: RoomId, person: Person, id: string, emoji: string, on: boolean) {
    const doc = await this.visible(room, person.pid, id);
    if (doc.deleted || doc.user === 'system') throw new NotFound('message_not_found');
    if (on && !(await addReaction(room, id, person.pid, emoji)))
      throw new Conflict('already_reacted');
    if (!on && !(await removeReaction(id, person.pid, emoji))) throw new NotFound('no_reaction');
    // Derived from the documents after this change: racing reactions are each counted once.
    const reactions = (await talliesOf([id])).get(id);
    this.tallies.set(room, id, reactions);
    const update: ReactionUpdate = { room, _id: id, seq: doc.seq, reactions: reactions ?? {} };
    this.deps.notifier.conversation(room, 'react', update, whisperers(doc));
    return update;
  }

  /** The author changes the text of their message; a deleted message stays deleted. */
  async edit(room: RoomId, person: Person, id: string, chat: string): Promise<ChatMessage> {
    const doc = await this.own(room, person, id);
    if (doc.chat == null) throw new BadRequest('not_editable');
    await Message.updateOne({ _id: id }, { $set: { chat, editedAt: new Date() } });
    // A delete may have raced this edit: its tombstone is the truth, and the text goes again.
    if (await isDeleted(id)) {
      await Message.updateOne({ _id: id }, SCRUB);
      throw new Conflict('message_deleted');
    }
    return this.announce(room, 'edit', id);
  }

  /** The author deletes their message: a "message deleted" line stays, its GIF file goes. */
  async remove(room: RoomId, person: Person, id: string): Promise<ChatMessage> {
    await this.own(room, person, id, true);
    return this.erase(room, id);
  }

  /** Deletes a message for everyone, whoever wrote it (its author, or the owner after reports). */
  async erase(room: RoomId, id: string): Promise<ChatMessage> {
    const doc = await Message.findOne({ _id: id, room }).lean<MessageDoc>();
    if (!doc) throw new NotFound('message_not_found');
    if (await claimDeletion(room, id)) {
      await Message.updateOne({ _id: id }, SCRUB);
      await deleteReactionsOf({ message: id });
      this.tallies.set(room, id, undefined);
      const media = [doc.gif, doc.poster, doc.video].filter((url): url is string => !!url);
      if (media.length) await this.deps.releaseMedia(media);
    }
    return this.announce(room, 'delete', id);
  }

  /**
   * Messages as a reader gets them: with their reactions, and reported GIFs blurred (copies: the
   * messages kept in memory stay as they are).
   */
  async forReader(messages: ChatMessage[]): Promise<ChatMessage[]> {
    const live = messages.filter((m) => !m.deleted);
    const room = live[0]?.room as RoomId | undefined;
    if (!room) return messages;
    const [tallies, blurred] = await Promise.all([
      this.tallies.get(
        room,
        live.map((m) => m._id),
      ),
      this.deps.blurred?.(
        room,
        live.filter((m) => m.gif).map((m) => m._id),
      ) ?? new Set<string>(),
    ]);
    return messages.map((m) => {
      const reactions = tallies.get(m._id);
      if (!reactions && !blurred.has(m._id)) return m;
      return {
        ...m,
        ...(reactions && { reactions }),
        ...(blurred.has(m._id) && { blurred: true }),
      };
    });
  }

  private async announce(room: RoomId, event: 'edit' | 'delete', id: string) {
    const doc = await Message.findById(id).lean<MessageDoc>();
    if (!doc) throw new NotFound('message_not_found');
    const message = toChatMessage(doc);
    this.deps.chat.changed(message);
    this.deps.notifier.conversation(room, event, message, whisperers(doc));
    return message;
  }

  /** A message of this room the viewer may see (whispers only by their two people). */
  private async visible(room: RoomId, viewer: string, id: string): Promise<MessageDoc> {
    const doc = await Message.findOne({ _id: id, room }).lean<MessageDoc>();
    if (!doc || (doc.to && doc.to !== viewer && doc.pid !== viewer))
      throw new NotFound('message_not_found');
    return doc;
  }

  /** A message of the person's own: anyone else's is refused and left as it is. */
  private async own(room: RoomId, person: Person, id: string, deletedOk = false) {
    const doc = await this.visible(room, person.pid, id);
    if (doc.user === 'system' || doc.pid !== person.pid) throw new AppError('not_author', 403);
    if (doc.deleted && !deletedOk) throw new Conflict('message_deleted');
    return doc;
  }
}

/** A whisper's two people, who alone hear about it; undefined for a message to the room. */
const whisperers = (doc: MessageDoc) => (doc.to && doc.pid ? [doc.pid, doc.to] : undefined);
