import { BadRequest } from '../errors';
import { editSchema, ignoreSchema, ignoring, messageRef, reactSchema } from '../http/validate';
import { parseOrThrow } from '../lib/validate';
import type { Conversation } from '../services/conversation';
import type { Limits } from '../services/limits';
import type { RoomModeration } from '../services/room.moderation';
import type { Reports } from '../services/reports';
import type { RoomPeople } from '../services/room.people';
import { current, spend, type Work } from './handler.kit';
import { socketPerson, type SocketSessions } from './session';

/**
 * Reactions, edits, deletions, reports and ignoring over /chat (replies ride on `chat` as
 * `replyTo`).
 */
export function conversationHandlers(deps: {
  conversation: Conversation;
  moderation: RoomModeration;
  reports: Reports;
  people: RoomPeople;
  limits: Limits;
  sessions: SocketSessions;
}): Record<string, Work> {
  const { conversation, moderation, reports, people, sessions } = deps;
  return {
    react: async (socket, raw) => {
      const { _id, emoji, on } = parseOrThrow(reactSchema, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'react');
      await moderation.admitPost(room, session, 'edit');
      return conversation.react(room, people.presentPerson(room, session), _id, emoji, on);
    },
    edit: async (socket, raw) => {
      const { _id, chat } = parseOrThrow(editSchema, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'message');
      await moderation.admitPost(room, session, 'edit');
      return conversation.edit(room, people.presentPerson(room, session), _id, chat);
    },
    delete: async (socket, raw) => {
      const { _id } = parseOrThrow(messageRef, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'message');
      return conversation.remove(room, people.presentPerson(room, session), _id);
    },
    report: async (socket, raw) => {
      const { _id } = parseOrThrow(messageRef, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'react');
      return reports.report(room, people.presentPerson(room, session), _id);
    },
    /** The hidden people are this session's own: remembered in it, for every room. */
    ignore: async (socket, raw) => {
      const { pid, ignored } = parseOrThrow(ignoreSchema, raw);
      const { person, session } = await socketPerson(socket, sessions);
      if (pid === person.pid) throw new BadRequest('ignore_self');
      await spend(deps, socket, 'react');
      const list = ignoring(session.ignored, pid, ignored);
      await sessions.save(person.session, { ...session, ignored: list });
      return { ignored: list };
    },
  };
}
