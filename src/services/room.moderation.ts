import { AppError, BadRequest, NotFound, NotOwner, RoomNotFound } from '../errors';
import type { RoomId } from '../lib/room-id';
import { mute, unmute } from '../models/mute.model';
import { saveSettings } from '../models/room.model';
import { seatOf } from '../models/seat.model';
import type { RoomChanges } from './room.changes';
import type { RoomState } from './room.state';
import type { RoomSettings } from './types';

export interface ModerationDependencies {
  state: RoomState;
  changes: Pick<RoomChanges, 'commit'>;
  /**
   * Slow mode's gate: spends this person's one message per `seconds` in this room (across
   * processes), or refuses with 429 `slow_mode` and the seconds left.
   */
  spacing: (key: string, seconds: number) => Promise<void>;
}

export type SettingsPatch = { locked?: boolean; slowSeconds?: number };

/**
 * What a post is: a message to the room (text or GIF), a whisper to one person, or a change to a
 * saved message (an edit, a reaction). Mutes hold for all; slow mode only for messages to the room.
 */
export type PostKind = 'room' | 'whisper' | 'edit';

/**
 * The owner's rules of a room: lock, slow mode and mutes. They are room state: changed only by
 * the owner (whoever owns the room now, so they pass with ownership), written to the database (a
 * restart keeps them) and committed as room changes (every process applies them, the room is told).
 */
export class RoomModeration {
  constructor(private readonly deps: ModerationDependencies) {}

  settings(room: RoomId): RoomSettings {
    return this.deps.state.settings(room);
  }

  /** Owner only: locks or unlocks the room, sets slow mode. */
  async configure(room: RoomId, by: string, patch: SettingsPatch): Promise<RoomSettings> {
    this.requireOwner(room, by);
    const set: SettingsPatch = {};
    if (patch.locked !== undefined) set.locked = patch.locked;
    if (patch.slowSeconds !== undefined) set.slowSeconds = patch.slowSeconds;
    await saveSettings(room, set);
    this.deps.changes.commit({ type: 'settings', room, ...set });
    return this.settings(room);
  }

  /** Owner only: mutes or unmutes a person (by public id); a muted person stays muted if they leave. */
  async mute(room: RoomId, by: string, pid: string, muted: boolean): Promise<RoomSettings> {
    this.requireOwner(room, by);
    const session =
      this.deps.state.presentByPid(room, pid)?.session ??
      this.deps.state.mutedByPid(room, pid) ??
      (await seatOf(room, pid))?.session;
    if (!session) throw new NotFound('not_in_room');
    if (session === by) throw new BadRequest('mute_self');
    if (muted) await mute(room, session, pid);
    else await unmute(room, session);
    this.deps.changes.commit({ type: 'mute', room, session, pid, muted });
    return this.settings(room);
  }

  /**
   * May this person post now? Muted people may not (text, GIFs, whispers); in slow mode, a message
   * to the room spends the person's one message per N seconds (the owner is exempt).
   */
  async admitPost(room: RoomId, session: string, kind: PostKind): Promise<void> {
    const { state } = this.deps;
    if (state.isMuted(room, session)) throw new AppError('muted', 403);
    const { slowSeconds } = state.settings(room);
    if (kind !== 'room' || slowSeconds <= 0 || state.isOwner(room, session)) return;
    await this.deps.spacing(`${room}\n${session}\n${slowSeconds}`, slowSeconds);
  }

  private requireOwner(room: RoomId, session: string): void {
    if (!this.deps.state.get(room)) throw new RoomNotFound();
    if (!this.deps.state.isOwner(room, session)) throw new NotOwner();
  }
}
