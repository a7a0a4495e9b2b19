import { muteSchema, settingsSchema } from '../http/validate';
import { parseOrThrow } from '../lib/validate';
import type { Limits } from '../services/limits';
import type { RoomModeration } from '../services/room.moderation';
import { current, spend, type Work } from './handler.kit';

/** The owner's room settings over /chat: `settings` (lock, slow mode) and `mute`. */
export function moderationHandlers(deps: {
  moderation: RoomModeration;
  limits: Limits;
}): Record<string, Work> {
  const { moderation } = deps;
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
  };
}
