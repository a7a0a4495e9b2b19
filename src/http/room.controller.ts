import type { Request, Response } from 'express';
import { AppError, PasswordRequired, WrongPassword } from '../errors';
import type { ChatService } from '../services/chat.service';
import type { RoomService } from '../services/room.service';
import { personFrom, redirectAfterSave, wantsJson } from './request';
import { chatSchema, historyQuery, newRoomSchema, passwordSchema, roomId } from './validate';
import { parse, parseOrThrow } from '../lib/validate';

export interface ControllerDependencies {
  rooms: RoomService;
  chat: ChatService;
}

export function roomController({ rooms, chat }: ControllerDependencies) {
  return {
    lobby(req: Request, res: Response) {
      const flash = req.session.flash;
      if (flash) delete req.session.flash;
      res.render('lobby.njk', { rooms: rooms.list(), flash });
    },

    newRoomForm(_req: Request, res: Response) {
      res.render('create.njk', { values: { max: 10 }, errors: {} });
    },

    async create(req: Request, res: Response) {
      const input = parse(newRoomSchema, req.body);
      if (!input.ok) {
        if (wantsJson(req)) throw new AppError('bad_request', 400, input.message);
        const { title, max } = (req.body ?? {}) as { title?: unknown; max?: unknown };
        return res
          .status(400)
          .render('create.njk', { values: { title, max }, errors: input.errors });
      }
      const room = await rooms.create(personFrom(req), input.data);
      // The creator knows the password: keep the room unlocked for them if their seat lapses.
      if (room.secret) req.session.unlocked = [...(req.session.unlocked ?? []), room._id];
      await redirectAfterSave(req, res, `/room/${room._id}`);
    },

    async enter(req: Request, res: Response) {
      const id = roomId(req);
      const person = personFrom(req);
      let view;
      try {
        view = await rooms.enter(id, person, req.session.unlocked);
      } catch (err) {
        if (err instanceof PasswordRequired)
          return res.render('password.njk', { room: rooms.view(id) });
        throw err;
      }
      const messages = await chat.history(id, person.pid);
      res.render('chat.njk', {
        room: view,
        messages,
        me: person,
        isOwner: rooms.isOwner(view._id, person.session),
      });
    },

    async unlock(req: Request, res: Response) {
      const id = roomId(req);
      const { password } = parseOrThrow(passwordSchema, req.body);
      try {
        await rooms.unlock(id, password);
      } catch (err) {
        if (!(err instanceof WrongPassword) || wantsJson(req)) throw err;
        return res.status(403).render('password.njk', { room: rooms.view(id), error: err.message });
      }
      const unlocked = req.session.unlocked ?? [];
      // Bounded: a session remembers its 50 most recently unlocked rooms.
      if (!unlocked.includes(String(id)))
        req.session.unlocked = [...unlocked, String(id)].slice(-50);
      await redirectAfterSave(req, res, `/room/${String(id)}`);
    },

    async history(req: Request, res: Response) {
      const id = roomId(req);
      const person = personFrom(req);
      await rooms.requireParticipant(id, person.session);
      const { before } = parseOrThrow(historyQuery, req.query);
      const messages = await chat.history(id, person.pid, before);
      res.json({ messages, more: messages.length > 0 && (messages[0]?.seq ?? 0) > 1 });
    },

    async send(req: Request, res: Response) {
      const id = roomId(req);
      const person = personFrom(req);
      await rooms.requireParticipant(id, person.session);
      const { chat: text } = parseOrThrow(chatSchema, req.body);
      const message = await chat.post(id, person, { chat: text });
      if (!wantsJson(req) && req.is('application/x-www-form-urlencoded'))
        return res.redirect(303, `/room/${String(id)}`);
      res.status(201).json(message);
    },

    /** Runs before the upload so a non-participant's file never touches the disk. */
    async requireParticipant(req: Request, _res: Response, next: () => void) {
      await rooms.requireParticipant(roomId(req), personFrom(req).session);
      next();
    },

    async gif(req: Request, res: Response) {
      const id = roomId(req);
      const person = personFrom(req);
      const file = req.file;
      if (!file) throw new AppError('bad_request', 400, 'no file: choose a GIF to upload');
      try {
        const message = await chat.post(id, person, { gif: `/gif/${file.filename}` });
        res.status(201).json(message);
      } catch (err) {
        await chat.removeFile(file.filename);
        throw err;
      }
    },

    async remove(req: Request, res: Response) {
      const id = roomId(req);
      await rooms.removeByOwner(id, personFrom(req).session);
      res.json({ ok: true });
    },
  };
}
