import { randomBytes } from 'node:crypto';
import ColorHash from 'color-hash';
import type { Session, SessionData } from 'express-session';
import { remembered } from './memo';

// Mid lightness keeps every hue readable as a dot on the neutral name chip.
const colorHash = new ColorHash({ lightness: [0.45, 0.55], saturation: [0.55, 0.7] });

/** Who is acting: the session (private), its public id and colour, and nickname if set. */
export interface Person {
  session: string;
  pid: string;
  user: string;
  nick?: string;
}

/** A session's colour (asked on every request and message; color-hash hashes in JavaScript). */
export const colorOf = remembered((sessionId) => colorHash.hex(sessionId), 20_000);

/** Gives the session its public id the first time it is needed; returns whether it changed. */
export function ensurePid(session: Session & Partial<SessionData>): boolean {
  if (session.pid) return false;
  session.pid = randomBytes(9).toString('base64url');
  return true;
}

export function personOf(sessionId: string, session: Partial<SessionData>): Person {
  if (!session.pid) throw new Error('session has no pid');
  return { session: sessionId, pid: session.pid, user: colorOf(sessionId), nick: session.nick };
}

export function nameOf(person: Pick<Person, 'nick' | 'user'>): string {
  return person.nick ?? person.user;
}
