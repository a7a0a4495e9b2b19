import { parse as parseCookies } from 'cookie';
import { signedCookie } from 'cookie-parser';
import type { SessionData } from 'express-session';
import type { Socket } from 'socket.io';
import { NotParticipant } from '../errors';
import { personOf, type Person } from '../lib/identity';
import type { ChatClientToServer, ChatServerToClient, ChatSocketData } from './events';

export type ChatSocket = Socket<
  ChatClientToServer,
  ChatServerToClient,
  Record<string, never>,
  ChatSocketData
>;

/** The sessions as sockets need them: read (mostly from memory) and written back. */
export interface SocketSessions {
  load(sid: string): Promise<SessionData | null>;
  save(sid: string, session: SessionData): Promise<void>;
}

/**
 * The session id a socket's handshake carried in the (signed) session cookie, or undefined. Only
 * the id is kept with the socket, not the session nor the response express-session would wrap:
 * thousands of open sockets then cost what bare Socket.IO costs. The session itself is read when
 * an event needs it (from memory, for someone active).
 */
export function sessionIdOf(
  socket: ChatSocket,
  cookieName: string,
  secret: string,
): string | undefined {
  const raw = parseCookies(socket.handshake.headers.cookie ?? '')[cookieName];
  const sid = raw === undefined ? false : signedCookie(raw, secret);
  return typeof sid === 'string' && sid !== raw ? sid : undefined;
}

/** The person behind a socket; they must have loaded a page first (that is what gives them a pid). */
export async function socketPerson(
  socket: ChatSocket,
  sessions: SocketSessions,
): Promise<{ person: Person; session: SessionData }> {
  const sid = socket.data.sid;
  const session = sid ? await sessions.load(sid) : null;
  if (!sid || !session?.pid) throw new NotParticipant();
  return { person: personOf(sid, session), session };
}
