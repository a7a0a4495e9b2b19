import { decideSchema, muteSchema, settingsSchema } from '../http/validate';
import { parseOrThrow } from '../lib/validate';
import type { Limits } from '../services/limits';
import type { Reports } from '../services/reports';
import type { RoomModeration } from '../services/room.moderation';
import { current, spend, type Work } from './handler.kit';

/** The owner's tools over /chat: `settings` (lock, slow mode), `mute`, the report queue. */
export function moderationHandlers(deps: {
  moderation: RoomModeration;
  reports: Reports;
  limits: Limits;
}): Record<string, Work> {
  const { moderation, reports } = deps;
  return {
    settings: async (socket, raw) => {
      const patch = parseOrThrow(settingsSchema, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'ownerTools');
      return moderation.configure(room, session, patch);
    },
    mute: async (socket, raw) => {
      const { pid, muted } = parseOrThrow(muteSchema, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'ownerTools');
      return moderation.mute(room, session, pid, muted);
    },
    reports: async (socket) => {
      const { room, session } = current(socket);
      return reports.queue(room, session);
    },
    decide: async (socket, raw) => {
      const { _id, action } = parseOrThrow(decideSchema, raw);
      const { room, session } = current(socket);
      await spend(deps, socket, 'ownerTools');
      return reports.decide(room, session, _id, action);
    },
  };
}
