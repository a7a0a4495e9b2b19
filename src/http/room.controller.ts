import type { Request, Response } from 'express';
import { BadRequest, NotParticipant, PasswordRequired, WrongPassword } from '../errors';
import type { Admission } from '../services/admission';
import type { ChatService } from '../services/chat.service';
import type { Conversation } from '../services/conversation';
import type { Limits } from '../services/limits';
import type { RoomPeople } from '../services/room.people';
import type { RoomService } from '../services/room.service';
import { personFrom, redirectAfterSave, wantsJson } from './request';
import { chatSchema, historyQuery, newRoomSchema, passwordSchema, roomId } from './validate';
import { parse, parseOrThrow } from '../lib/validate';

export interface ControllerDependencies {
  rooms: RoomService;
  admission: Admission;
  chat: ChatService;
  people: Pick<RoomPeople, 'speaker'>;
  limits: Limits;
  conversation: Pick<Conversation, 'quote' | 'forReader'>;
}

export function roomController({
  rooms,
  admission,
  chat,
  people,
  limits,
  conversation,
}: ControllerDependencies) {
  return {
    newRoomForm: (_req: Request, res: Response) => {
      res.render('create.njk', { values: { max: 10 }, errors: {} });
    },

    create: async (req: Request, res: Response) => {
      const input = parse(newRoomSchema, req.body);
      if (!input.ok) {
        if (wantsJson(req)) throw new BadRequest(input.first.code, input.first.params);
        const { title, max } = (req.body ?? {}) as { title?: unknown; max?: unknown };
        return res
          .status(400)
          .render('create.njk', { values: { title, max }, errors: input.errors });
      }
      await limits.take('createByAddress', limits.address(req.ip));
      await limits.take('createByPerson', limits.person(req.sessionID));
      const room = await rooms.create(personFrom(req), input.data);
      // The creator knows the password: keep the room unlocked for them if their seat lapses.
      if (room.secret) req.session.unlocked = [...(req.session.unlocked ?? []), room._id];
      await redirectAfterSave(req, res, `/room/${room._id}`);
    },

    enter: async (req: Request, res: Response) => {
      const id = roomId(req);
      const person = personFrom(req);
      let view;
      try {
        view = await admission.enter(id, person, req.session.unlocked);
      } catch (err) {
        if (err instanceof PasswordRequired)
          return res.render('password.njk', { room: rooms.view(id) });
        throw err;
      }
      const messages = await conversation.forReader(await chat.history(id, person.pid));
      res.render('chat.njk', {
        room: view,
        messages,
        me: person,
        isOwner: rooms.isOwner(view._id, person.session),
        ignored: req.session.ignored ?? [],
      });
    },

    unlock: async (req: Request, res: Response) => {
      const id = roomId(req);
      const { password } = parseOrThrow(passwordSchema, req.body);
      // Every guess counts, before the (slow) check: racing guesses cannot slip past the limit.
      const guesser = `${limits.address(req.ip)}:${id}`;
      await limits.take('password', guesser);
      await limits.take('passwordByRoom', id);
      try {
        await rooms.unlock(id, password);
        await limits.refund('password', guesser);
        await limits.refund('passwordByRoom', id);
      } catch (err) {
        if (!(err instanceof WrongPassword) || wantsJson(req)) throw err;
        return res
          .status(403)
          .render('password.njk', { room: rooms.view(id), error: err.toBody() });
      }
      const unlocked = req.session.unlocked ?? [];
      // Bounded: a session remembers its 50 most recently unlocked rooms.
      if (!unlocked.includes(id)) req.session.unlocked = [...unlocked, id].slice(-50);
      await redirectAfterSave(req, res, `/room/${id}`);
    },

    history: async (req: Request, res: Response) => {
      const id = roomId(req);
      // Someone no page has given an identity is in no room, and is given none here.
      if (!req.session.pid) throw new NotParticipant();
      const person = personFrom(req);
      await admission.requireParticipant(id, person.session);
      const { before } = parseOrThrow(historyQuery, req.query);
      const messages = await conversation.forReader(await chat.history(id, person.pid, before));
      res.json({ messages, more: messages.length > 0 && (messages[0]?.seq ?? 0) > 1 });
    },

    send: async (req: Request, res: Response) => {
      const id = roomId(req);
      const person = personFrom(req);
      await admission.requireParticipant(id, person.session);
      const { chat: text, cid, replyTo } = parseOrThrow(chatSchema, req.body);
      const quote = replyTo && (await conversation.quote(id, person.pid, replyTo));
      const content = { chat: text, ...(quote && { replyTo: quote }) };
      const message = await chat.post(id, people.speaker(id, person), content, cid);
      if (!wantsJson(req) && req.is('application/x-www-form-urlencoded'))
        return res.redirect(303, `/room/${id}`);
      res.status(201).json(message);
    },

    /** Runs before the upload so a non-participant's file never touches the disk. */
    requireParticipant: async (req: Request, _res: Response, next: () => void) => {
      await admission.requireParticipant(roomId(req), personFrom(req).session);
      next();
    },

    remove: async (req: Request, res: Response) => {
      const id = roomId(req);
      await rooms.removeByOwner(id, personFrom(req).session);
      res.json({ ok: true });
    },
  };
}
