import { editSchema, messageRef, reactSchema } from '../http/validate';
import { parseOrThrow } from '../lib/validate';
import type { Conversation } from '../services/conversation';
import type { Limits } from '../services/limits';
import type { RoomModeration } from '../services/room.moderation';
import type { RoomPeople } from '../services/room.people';
import { current, spend, type Work } from './handler.kit';

/** Reactions, edits and deletions over /chat (replies ride on `chat` as `replyTo`). */
export function conversationHandlers(deps: {
  conversation: Conversation;
  moderation: RoomModeration;
  people: RoomPeople;
  limits: Limits;
}): Record<string, Work> {
  const { conversation, moderation, people } = deps;
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
  };
}
