import type { Request, Response } from 'express';
import type { Admission } from '../services/admission';
import type { Conversation } from '../services/conversation';
import type { Limits } from '../services/limits';
import type { Reports } from '../services/reports';
import type { RoomModeration } from '../services/room.moderation';
import type { RoomPeople } from '../services/room.people';
import { parseOrThrow } from '../lib/validate';
import { personFrom } from './request';
import {
  decideSchema,
  editSchema,
  ignoreSchema,
  ignoring,
  messageRef,
  reactSchema,
  roomId,
} from './validate';
import { BadRequest, NotOwner } from '../errors';

/** Reactions, edits, deletions, reports and ignoring over HTTP (the socket events' twins). */
export function conversationController(deps: {
  conversation: Conversation;
  reports: Reports;
  moderation: RoomModeration;
  admission: Admission;
  people: Pick<RoomPeople, 'speaker'>;
  limits: Limits;
}) {
  const { conversation, reports, moderation, admission, people, limits } = deps;
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

    /** POST /room/:id/messages/:mid/report → `{ reported: true }`. */
    report: async (req: Request, res: Response) => {
      const { _id } = parseOrThrow(messageRef, { _id: req.params.mid });
      const { room, person } = await actor(req, 'react');
      res.json(await reports.report(room, person, _id));
    },

    /** GET /room/:id/reports (owner) → the queue. */
    queue: async (req: Request, res: Response) => {
      const room = roomId(req);
      // Someone without an identity owns nothing: refused without making them a session.
      if (!req.session.pid) throw new NotOwner();
      res.json(await reports.queue(room, req.sessionID));
    },

    /** POST /room/:id/reports/:mid `{ action: 'remove' | 'dismiss' }` (owner) → the queue. */
    decide: async (req: Request, res: Response) => {
      const { _id, action } = parseOrThrow(decideSchema, { ...req.body, _id: req.params.mid });
      const room = roomId(req);
      const session = personFrom(req).session;
      await limits.take('ownerTools', limits.person(session));
      res.json(await reports.decide(room, session, _id, action));
    },

    /** POST /ignore `{ pid, ignored }` → `{ ignored }`, this session's hidden people. */
    ignore: async (req: Request, res: Response) => {
      const { pid, ignored } = parseOrThrow(ignoreSchema, req.body);
      if (pid === personFrom(req).pid) throw new BadRequest('ignore_self');
      await limits.take('react', limits.person(req.sessionID));
      req.session.ignored = ignoring(req.session.ignored, pid, ignored);
      res.json({ ignored: req.session.ignored });
    },
  };
}
