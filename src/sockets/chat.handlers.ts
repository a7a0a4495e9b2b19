import { BadRequest, NotParticipant, RoomNotFound } from '../errors';
import { parseOrThrow } from '../lib/validate';
import { parseRoomId } from '../lib/room-id';
import type { Logger } from '../logger';
import type { ChatService } from '../services/chat.service';
import type { LimitName, Limits } from '../services/limits';
import type { OwnerTools } from '../services/room.owner';
import type { RoomPeople } from '../services/room.people';
import type { JoinData } from './events';
import { personChannel, type ChatNamespace } from './notifier';
import { responder } from './respond';
import { chatSchema, joinSchema, nickSchema, targetSchema, whisperSchema } from './schemas';
import { reloadSession, saveSession, sessionOf, socketPerson, type ChatSocket } from './session';

export interface ChatHandlerDependencies {
  people: RoomPeople;
  owners: OwnerTools;
  chat: ChatService;
  limits: Limits;
  logger: Logger;
}

/**
 * Runs one socket's events one after another, in the order they arrived: a `leave` sent right
 * after a `join` takes effect after it, never in the middle of it (which left ghosts behind).
 */
function inOrder(): (task: () => Promise<void>) => void {
  let tail = Promise.resolve();
  return (task) => void (tail = tail.then(task));
}

export function registerChatHandlers(
  nsp: ChatNamespace,
  { people, owners, chat, limits, logger }: ChatHandlerDependencies,
): void {
  const respond = responder(logger);

  nsp.on('connection', (socket) => {
    const queue = inOrder();
    /** Registers an event whose work waits its turn; its result or refusal goes to the ack. */
    const handle =
      <T>(work: (raw: unknown) => Promise<T>) =>
      (raw: unknown, ack?: unknown) =>
        queue(() => respond(ack, () => work(raw)));

    const leaveCurrent = async () => {
      const { room, session, pid } = socket.data;
      if (!room) return;
      socket.data.room = undefined;
      await socket.leave(room);
      if (pid) await socket.leave(personChannel(room, pid));
      if (session) people.depart(room, session, socket.id);
    };

    /** Spends one point of this person's budget for `name` (429 once spent). */
    const spend = (name: LimitName) =>
      limits.take(name, limits.person(socketPerson(socket).session));

    /** The room this socket is in, or a refusal: every action below needs one. */
    const current = () => {
      const { room, session } = socket.data;
      if (!room || !session) throw new NotParticipant();
      return { room, session };
    };

    socket.on(
      'join',
      handle(async (raw): Promise<JoinData> => {
        const parsed = joinSchema.safeParse(raw);
        if (!parsed.success) throw new BadRequest('room_not_found');
        const input = typeof parsed.data === 'string' ? { room: parsed.data } : parsed.data;
        const room = parseRoomId(input.room);
        if (!room) throw new RoomNotFound();
        await reloadSession(socket);
        const person = socketPerson(socket);
        await spend('join');
        if (socket.data.room && socket.data.room !== room) await leaveCurrent();
        const joined = await people.join(room, person, {
          unlocked: sessionOf(socket)?.unlocked,
          after: input.after,
          socketId: socket.id,
          attach: async () => {
            socket.data = { room, session: person.session, pid: person.pid };
            await socket.join([room, personChannel(room, person.pid)]);
          },
        });
        for (const message of joined.missed) socket.emit(message.to ? 'whisper' : 'chat', message);
        return {
          room,
          pid: person.pid,
          user: person.user,
          nick: joined.me.nick,
          owner: joined.owner,
          participants: joined.participants,
          truncated: joined.truncated,
        };
      }),
    );

    // `leave` carries no payload: its acknowledgement comes first.
    socket.on('leave', (ack?: unknown) =>
      queue(() =>
        respond(ack, async () => {
          await leaveCurrent();
          return null;
        }),
      ),
    );

    socket.on(
      'chat',
      handle(async (raw) => {
        const { chat: text, cid } = parseOrThrow(chatSchema, raw);
        const { room, session } = current();
        await spend('message');
        return chat.post(room, people.presentPerson(room, session), { chat: text }, cid);
      }),
    );

    socket.on(
      'nick',
      handle(async (raw) => {
        const nick = parseOrThrow(nickSchema, raw);
        await reloadSession(socket);
        const person = socketPerson(socket);
        await spend('nick');
        people.setNick(person.session, socket.data.room, nick);
        sessionOf(socket)!.nick = nick;
        await saveSession(socket);
        return { nick };
      }),
    );

    socket.on('typing', (raw) =>
      queue(async () => {
        const { room, session } = socket.data;
        if (typeof raw !== 'boolean' || !room || !session) return;
        // Over budget: dropped silently, like typing from someone no longer present.
        if (!(await limits.allow('typing', limits.person(session)))) return;
        try {
          chat.typing(room, people.presentPerson(room, session), raw);
        } catch {
          // Not present any more.
        }
      }),
    );

    socket.on(
      'whisper',
      handle(async (raw) => {
        const { to, chat: text } = parseOrThrow(whisperSchema, raw);
        const { room, session } = current();
        await spend('message');
        const from = people.presentPerson(room, session);
        const target = await people.findByPid(room, to);
        if (target.pid === from.pid) throw new BadRequest('whisper_self');
        const message = await chat.whisper(room, from, target.pid, text);
        return { delivered: true, message };
      }),
    );

    // Owner tools: same payload ({ pid }), same checks, one service call each.
    for (const action of ['kick', 'handover'] as const) {
      socket.on(
        action,
        handle(async (raw) => {
          const { pid } = parseOrThrow(targetSchema, raw);
          const { room, session } = current();
          await spend('ownerTools');
          await owners[action](room, session, pid);
          return null;
        }),
      );
    }

    socket.on('disconnect', () => queue(leaveCurrent));
  });
}

export type { ChatSocket };
