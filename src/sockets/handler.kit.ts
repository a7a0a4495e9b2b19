import { NotParticipant } from '../errors';
import type { LimitName, Limits } from '../services/limits';
import type { ChatSocket } from './session';

/** What a /chat event does for one socket: its acknowledgement carries the result. */
export type Work = (socket: ChatSocket, raw: unknown) => Promise<unknown>;

/** Spends one point of this person's budget for `name` (429 once spent). */
export function spend({ limits }: { limits: Limits }, socket: ChatSocket, name: LimitName) {
  if (!socket.data.sid) throw new NotParticipant();
  return limits.take(name, limits.person(socket.data.sid));
}

/** The room this socket is in, or a refusal: every action but joining needs one. */
export function current(socket: ChatSocket) {
  const { room, session } = socket.data;
  if (!room || !session) throw new NotParticipant();
  return { room, session };
}
