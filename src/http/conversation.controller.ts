import type { Request, Response } from 'express';
import type { Admission } from '../services/admission';
import type { Conversation } from '../services/conversation';
import type { Limits } from '../services/limits';
import type { RoomModeration } from '../services/room.moderation';
import type { RoomPeople } from '../services/room.people';
import { parseOrThrow } from '../lib/validate';
import { personFrom } from './request';
import { editSchema, messageRef, reactSchema, roomId } from './validate';

/** Reactions, edits and deletions of saved messages over HTTP (the socket events' twins). */
export function conversationController(deps: {
  conversation: Conversation;
  moderation: RoomModeration;
  admission: Admission;
  people: Pick<RoomPeople, 'speaker'>;
  limits: Limits;
}) {
  const { conversation, moderation, admission, people, limits } = deps;
  /** The room, and the participant acting in it as they are named there. */
  const actor = async (req: Request, budget: 'react' | 'message') => {
    const room = roomId(req);
    const person = personFrom(req);
    await limits.take(budget, limits.person(person.session));
    await admission.requireParticipant(room, person.session);
    return { room, person: people.speaker(room, person) };
  };
  return {
    /** POST /room/:id/messages/:mid/reactions `{ emoji, on? }` → the message's reactions. */
    react: async (req: Request, res: Response) => {
      const { _id, emoji, on } = parseOrThrow(reactSchema, { ...req.body, _id: req.params.mid });
      const { room, person } = await actor(req, 'react');
      await moderation.admitPost(room, person.session, 'edit');
      res.json(await conversation.react(room, person, _id, emoji, on));
    },

    /** PATCH /room/:id/messages/:mid `{ chat }` → the edited message. */
    edit: async (req: Request, res: Response) => {
      const { _id, chat } = parseOrThrow(editSchema, { ...req.body, _id: req.params.mid });
      const { room, person } = await actor(req, 'message');
      await moderation.admitPost(room, person.session, 'edit');
      res.json(await conversation.edit(room, person, _id, chat));
    },

    /** DELETE /room/:id/messages/:mid → the message as it is now (deleted). */
    remove: async (req: Request, res: Response) => {
      const { _id } = parseOrThrow(messageRef, { _id: req.params.mid });
      const { room, person } = await actor(req, 'message');
      res.json(await conversation.remove(room, person, _id));
    },
  };
}
