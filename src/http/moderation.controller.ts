import type { NextFunction, Request, Response } from 'express';
import type { Limits } from '../services/limits';
import type { PostKind, RoomModeration } from '../services/room.moderation';
import { parseOrThrow } from '../lib/validate';
import { personFrom } from './request';
import { muteSchema, roomId, settingsSchema } from './validate';

/** The owner's room settings over HTTP, and the gate every post passes (mutes, slow mode). */
export function moderationController({
  moderation,
  limits,
}: {
  moderation: RoomModeration;
  limits: Limits;
}) {
  const ownerBudget = (req: Request) => limits.take('ownerTools', limits.person(req.sessionID));
  return {
    /** POST /room/:id/settings `{ locked?, slowSeconds? }` → the room's settings. */
    settings: async (req: Request, res: Response) => {
      const id = roomId(req);
      const patch = parseOrThrow(settingsSchema, req.body);
      await ownerBudget(req);
      res.json(await moderation.configure(id, personFrom(req).session, patch));
    },

    /** POST /room/:id/mute `{ pid, muted }` → the room's settings. */
    mute: async (req: Request, res: Response) => {
      const id = roomId(req);
      const { pid, muted } = parseOrThrow(muteSchema, req.body);
      await ownerBudget(req);
      res.json(await moderation.mute(id, personFrom(req).session, pid, muted));
    },

    /** Before a post is read or stored: a muted person is refused, slow mode spends its turn. */
    admitPost: (kind: PostKind) => async (req: Request, _res: Response, next: NextFunction) => {
      await moderation.admitPost(roomId(req), personFrom(req).session, kind);
      next();
    },
  };
}
