import { BadRequest, RoomNotFound } from '../errors';
import { parseRoomId } from '../lib/room-id';
import { parseOrThrow } from '../lib/validate';
import type { Logger } from '../logger';
import type { ChatService } from '../services/chat.service';
import type { GifService } from '../services/gifs.service';
import type { Limits } from '../services/limits';
import type { RoomModeration } from '../services/room.moderation';
import type { OwnerTools } from '../services/room.owner';
import type { RoomPeople } from '../services/room.people';
import type { ChatClientToServer, JoinData } from './events';
import { personChannel, type ChatNamespace } from './notifier';
import type { Conversation } from '../services/conversation';
import type { Reports } from '../services/reports';
import { conversationHandlers } from './conversation.handlers';
import { current, spend, type Work } from './handler.kit';
import { moderationHandlers } from './moderation.handlers';
import { responder } from './respond';
import {
  chatSchema,
  gifSchema,
  joinSchema,
  nickSchema,
  targetSchema,
  whisperSchema,
} from './schemas';
import { sessionIdOf, socketPerson, type ChatSocket, type SocketSessions } from './session';

export interface ChatHandlerDependencies {
  /** The sessions, and how the session cookie is named and signed. */
  sessions: SocketSessions & { cookie: string; secret: string };
  people: RoomPeople;
  owners: OwnerTools;
  moderation: RoomModeration;
  conversation: Conversation;
  reports: Reports;
  chat: ChatService;
  gifs: Pick<GifService, 'resend'>;
  limits: Limits;
  logger: Logger;
}

/**
 * The /chat events. Each socket's events run one after another, in the order they arrived: a
 * `leave` sent right after a `join` takes effect after it, never in the middle of it (which left
 * ghosts behind). The handlers are made once for all sockets (a socket holds only its queue's
 * tail), so thousands of open sockets cost what bare Socket.IO costs.
 */
export function registerChatHandlers(
  nsp: ChatNamespace,
  deps: ChatHandlerDependencies,
): { settled(): Promise<void> } {
  const respond = responder(deps.logger);
  const tails = new WeakMap<ChatSocket, Promise<void>>();
  const running = new Set<Promise<void>>();
  const inTurn = (socket: ChatSocket, task: () => Promise<void>) => {
    // A task that fails (typing's budget, a disconnect's leave) is logged; the next still runs.
    const tail = (tails.get(socket) ?? Promise.resolve())
      .then(task)
      .catch((err: unknown) => deps.logger.error('socket event failed', { err: String(err) }))
      .finally(() => running.delete(tail));
    tails.set(socket, tail);
    running.add(tail);
  };
  const work = { ...handlers(deps), ...moderationHandlers(deps), ...conversationHandlers(deps) };
  // One listener per event, shared: `this` is the socket (an emitter calls listeners on itself).
  const listeners = Object.fromEntries(
    Object.entries(work).map(([event, fn]) => [
      event,
      function (this: ChatSocket, ...args: unknown[]) {
        // Socket.IO passes the acknowledgement last, after however many arguments the client
        // sent; an event sent with only an acknowledgement (`leave`) has no payload.
        const ack = typeof args.at(-1) === 'function' ? args.at(-1) : undefined;
        const raw = args[0] === ack ? undefined : args[0];
        inTurn(this, () => respond(ack, () => fn(this, raw)));
      },
    ]),
  );
  function onTyping(this: ChatSocket, raw: unknown) {
    inTurn(this, () => typing(deps, this, raw));
  }
  function onDisconnect(this: ChatSocket) {
    inTurn(this, () => leaveCurrent(deps, this));
  }

  nsp.on('connection', (socket) => {
    socket.data.sid = sessionIdOf(socket, deps.sessions.cookie, deps.sessions.secret);
    for (const [event, listener] of Object.entries(listeners))
      socket.on(event as keyof ChatClientToServer, listener);
    socket.on('typing', onTyping);
    socket.on('disconnect', onDisconnect);
  });

  return {
    /** Resolves once every event received so far (disconnects included) has been handled. */
    settled: async () => {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}

async function leaveCurrent({ people }: ChatHandlerDependencies, socket: ChatSocket) {
  const { room, session, pid } = socket.data;
  if (!room) return;
  socket.data.room = undefined;
  await socket.leave(room);
  if (pid) await socket.leave(personChannel(room, pid));
  if (session) people.depart(room, session, socket.id);
}

async function typing(deps: ChatHandlerDependencies, socket: ChatSocket, raw: unknown) {
  const { room, session } = socket.data;
  if (typeof raw !== 'boolean' || !room || !session) return;
  // Over budget: dropped silently, like typing from someone no longer present.
  if (!(await deps.limits.allow('typing', deps.limits.person(session)))) return;
  try {
    deps.chat.typing(room, deps.people.presentPerson(room, session), raw);
  } catch {
    // Not present any more.
  }
}

function handlers(deps: ChatHandlerDependencies): Record<string, Work> {
  const { sessions, people, owners, moderation, conversation, chat } = deps;
  const join = async (socket: ChatSocket, raw: unknown): Promise<JoinData> => {
    const parsed = joinSchema.safeParse(raw);
    if (!parsed.success) throw new BadRequest('room_not_found');
    const input = typeof parsed.data === 'string' ? { room: parsed.data } : parsed.data;
    const room = parseRoomId(input.room);
    if (!room) throw new RoomNotFound();
    // Read now, so a password unlocked since the socket connected counts.
    const { person, session } = await socketPerson(socket, sessions);
    await spend(deps, socket, 'join');
    const joined = await people.join(room, person, {
      unlocked: session.unlocked,
      after: input.after,
      socketId: socket.id,
      attach: async () => {
        // Admitted: only now leave the room the tab was in (a refused join leaves it there).
        if (socket.data.room && socket.data.room !== room) await leaveCurrent(deps, socket);
        Object.assign(socket.data, { room, session: person.session, pid: person.pid });
        await socket.join([room, personChannel(room, person.pid)]);
      },
    });
    for (const message of await conversation.forReader(joined.missed))
      socket.emit(message.to ? 'whisper' : 'chat', message);
    return {
      room,
      pid: person.pid,
      user: person.user,
      nick: joined.me.nick,
      owner: joined.owner,
      participants: joined.participants,
      truncated: joined.truncated,
      settings: moderation.settings(room),
    };
  };

  // Owner tools: same payload ({ pid }), same checks, one service call each.
  const ownerTool =
    (action: 'kick' | 'handover'): Work =>
    async (socket, raw) => {
      const { pid } = parseOrThrow(targetSchema, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'ownerTools');
      await owners[action](room, session, pid);
      return null;
    };

  return {
    join,
    leave: async (socket) => {
      await leaveCurrent(deps, socket);
      return null;
    },
    chat: async (socket, raw) => {
      const { chat: text, cid, replyTo } = parseOrThrow(chatSchema, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'message');
      await moderation.admitPost(room, session, 'room');
      const person = people.presentPerson(room, session);
      const quote = replyTo && (await conversation.quote(room, person.pid, replyTo));
      return chat.post(room, person, { chat: text, ...(quote && { replyTo: quote }) }, cid);
    },
    gif: async (socket, raw) => {
      const { name, cid } = parseOrThrow(gifSchema, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'message');
      await moderation.admitPost(room, session, 'room');
      return deps.gifs.resend(room, people.presentPerson(room, session), name, cid);
    },
    nick: async (socket, raw) => {
      const nick = parseOrThrow(nickSchema, raw);
      const { person, session } = await socketPerson(socket, sessions);
      await spend(deps, socket, 'nick');
      people.setNick(person.session, socket.data.room, nick);
      await sessions.save(person.session, { ...session, nick });
      return { nick };
    },
    whisper: async (socket, raw) => {
      const { to, chat: text } = parseOrThrow(whisperSchema, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'message');
      await moderation.admitPost(room, session, 'whisper');
      const from = people.presentPerson(room, session);
      const target = await people.findByPid(room, to);
      if (target.pid === from.pid) throw new BadRequest('whisper_self');
      const message = await chat.whisper(room, from, target.pid, text);
      return { delivered: true, message };
    },
    kick: ownerTool('kick'),
    handover: ownerTool('handover'),
  };
}
