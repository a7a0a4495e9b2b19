import type { IncomingMessage } from 'node:http';
import type { Session, SessionData } from 'express-session';
import type { Types } from 'mongoose';
import { z } from 'zod';
import { BadRequest, NotParticipant, RoomNotFound } from '../errors';
import { parseOrThrow } from '../lib/validate';
import { personOf, type Person } from '../lib/identity';
import { parseObjectId } from '../lib/mongo';
import type { Logger } from '../logger';
import type { ChatService } from '../services/chat.service';
import type { RoomPeople } from '../services/room.people';
import type { RoomService } from '../services/room.service';
import type { JoinData } from './events';
import { personChannel, type ChatNamespace } from './notifier';
import { responder } from './respond';

export interface ChatHandlerDependencies {
  rooms: RoomService;
  people: RoomPeople;
  chat: ChatService;
  logger: Logger;
}

const joinSchema = z.union([
  z.string(),
  z.object({
    room: z.string(),
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
]);

const nickSchema = z
  .string()
  .transform((s) => s.trim().replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'a nickname needs 1–24 characters')
      .max(24, 'a nickname needs 1–24 characters'),
  )
  .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'a nickname cannot contain control characters')
  .refine((s) => s.toLowerCase() !== 'system', 'that nickname is reserved');
const whisperSchema = z.object({
  to: z.string().min(1).max(64),
  chat: z
    .string()
    .transform((s) => s.trim())
    .pipe(z.string().min(1, 'write something first').max(1000, 'at most 1000 characters')),
});
const targetSchema = z.object({ pid: z.string().min(1).max(64) });

type ChatSocket = Parameters<Parameters<ChatNamespace['on']>[1]>[0];
// express-session runs on the Engine.IO handshake request too (io.engine.use), so sockets see it.
type SessionRequest = IncomingMessage & {
  session?: Session & Partial<SessionData>;
  sessionID?: string;
};
const requestOf = (socket: ChatSocket) => socket.request as SessionRequest;

/** Re-reads the session, so a password unlocked after the socket connected counts. */
function reloadSession(socket: ChatSocket): Promise<void> {
  const session = requestOf(socket).session;
  return new Promise((resolve) => (session ? session.reload(() => resolve()) : resolve()));
}

/** The person behind a socket; they must have loaded a page first (that is what gives them a pid). */
export function socketPerson(socket: ChatSocket): Person {
  const { session, sessionID } = requestOf(socket);
  if (!session?.pid || !sessionID) throw new NotParticipant();
  return personOf(sessionID, session);
}

export function registerChatHandlers(
  nsp: ChatNamespace,
  { rooms, people, chat, logger }: ChatHandlerDependencies,
): void {
  const respond = responder(logger);

  nsp.on('connection', (socket) => {
    const leaveCurrent = () => {
      const { room } = socket.data;
      if (!room) return;
      socket.data.room = undefined;
      void socket.leave(room);
      if (socket.data.pid) void socket.leave(personChannel(room, socket.data.pid));
      if (socket.data.session) people.disconnect(room, socket.data.session, socket.id);
    };

    const replay = async (room: Types.ObjectId, pid: string, after: number) => {
      for (const message of await chat.since(room, pid, after))
        socket.emit(message.to ? 'whisper' : 'chat', message);
    };

    socket.on('join', (raw, ack) =>
      respond(ack, async (): Promise<JoinData> => {
        const parsed = joinSchema.safeParse(raw);
        if (!parsed.success) throw new BadRequest('join needs a room id');
        const { room, after } =
          typeof parsed.data === 'string' ? { room: parsed.data, after: undefined } : parsed.data;
        const id = parseObjectId(room);
        if (!id) throw new RoomNotFound();
        await reloadSession(socket);
        const person = socketPerson(socket);
        const view = await rooms.enter(id, person, requestOf(socket).session?.unlocked);
        if (socket.data.room !== view._id) {
          leaveCurrent();
          socket.data = { room: view._id, session: person.session, pid: person.pid };
          await socket.join([view._id, personChannel(view._id, person.pid)]);
          // Replay before announcing, so the replay is exactly what was missed; a message racing
          // in between may arrive live as well, and browsers drop repeats by seq.
          if (after !== undefined) await replay(id, person.pid, after);
          await people.connect(id, person, socket.id).catch((err: unknown) => {
            leaveCurrent();
            throw err;
          });
        } else if (after !== undefined) {
          await replay(id, person.pid, after);
        }
        return {
          room: view._id,
          pid: person.pid,
          user: person.user,
          nick: person.nick,
          owner: rooms.isOwner(view._id, person.session),
          participants: people.participants(view._id),
        };
      }),
    );

    socket.on('leave', (ack) =>
      respond(ack, async () => {
        leaveCurrent();
        return null;
      }),
    );

    /** The room this socket is in, or a refusal: every action below needs one. */
    const current = () => {
      const { room, session } = socket.data;
      if (!room || !session) throw new NotParticipant();
      return { room, session, id: parseObjectId(room)! };
    };

    socket.on('nick', (raw, ack) =>
      respond(ack, async () => {
        const nick = parseOrThrow(nickSchema, raw);
        await reloadSession(socket);
        const person = socketPerson(socket);
        people.setNick(person.session, socket.data.room, nick);
        const session = requestOf(socket).session!;
        session.nick = nick;
        await new Promise<void>((resolve, reject) =>
          session.save((err) => (err ? reject(err) : resolve())),
        );
        return { nick };
      }),
    );

    socket.on('typing', (raw) => {
      if (typeof raw !== 'boolean' || !socket.data.room || !socket.data.session) return;
      try {
        chat.typing(
          socket.data.room,
          people.presentPerson(socket.data.room, socket.data.session),
          raw,
        );
      } catch {
        // Typing from someone no longer present is simply ignored.
      }
    });

    socket.on('whisper', (raw, ack) =>
      respond(ack, async () => {
        const { to, chat: text } = parseOrThrow(whisperSchema, raw);
        const { room, session, id } = current();
        const from = people.presentPerson(room, session);
        const target = await people.findByPid(room, to);
        if (target.pid === from.pid) throw new BadRequest('you cannot whisper to yourself');
        const message = await chat.whisper(id, from, target.pid, text);
        return { delivered: true, message };
      }),
    );

    // Owner tools: same payload ({ pid }), same checks, one service call each.
    for (const action of ['kick', 'handover'] as const) {
      socket.on(action, (raw, ack) =>
        respond(ack, async () => {
          const { pid } = parseOrThrow(targetSchema, raw);
          const { id, session } = current();
          await people[action](id, session, pid);
          return null;
        }),
      );
    }

    socket.on('disconnect', leaveCurrent);
  });
}
