import type { IncomingMessage } from 'node:http';
import type { Session, SessionData } from 'express-session';
import { NotParticipant } from '../errors';
import { personOf, type Person } from '../lib/identity';
import type { Socket } from 'socket.io';
import type { ChatClientToServer, ChatServerToClient, ChatSocketData } from './events';

export type ChatSocket = Socket<
  ChatClientToServer,
  ChatServerToClient,
  Record<string, never>,
  ChatSocketData
>;

// express-session runs on the Engine.IO handshake request too (io.engine.use), so sockets see it.
type SessionRequest = IncomingMessage & {
  session?: Session & Partial<SessionData>;
  sessionID?: string;
};

const requestOf = (socket: ChatSocket): SessionRequest => socket.request;

export const sessionOf = (socket: ChatSocket) => requestOf(socket).session;

/** Re-reads the session, so a password unlocked or a name set after the socket connected counts. */
export function reloadSession(socket: ChatSocket): Promise<void> {
  const session = sessionOf(socket);
  return new Promise((resolve) => (session ? session.reload(() => resolve()) : resolve()));
}

export function saveSession(socket: ChatSocket): Promise<void> {
  const session = sessionOf(socket);
  return new Promise((resolve, reject) =>
    session
      ? session.save((err: unknown) =>
          err ? reject(err instanceof Error ? err : new Error('session not saved')) : resolve(),
        )
      : resolve(),
  );
}

/** The person behind a socket; they must have loaded a page first (that is what gives them a pid). */
export function socketPerson(socket: ChatSocket): Person {
  const { session, sessionID } = requestOf(socket);
  if (!session?.pid || !sessionID) throw new NotParticipant();
  return personOf(sessionID, session);
}
