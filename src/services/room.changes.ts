import type { RoomId } from '../lib/room-id';
import type { OwnerState } from '../models/owner.model';
import type { Cluster } from './cluster';
import type { Present, RoomState } from './room.state';
import type { Notifier, RoomView } from './types';

/**
 * A change to what processes know of rooms. The database has already decided it (a seat taken, an
 * epoch appended); these only keep every process's `RoomState` current and browsers informed.
 */
export type RoomChange =
  | { type: 'room'; view: RoomView; owner: OwnerState; session: string }
  | { type: 'seat'; room: RoomId; session: string; taken: boolean }
  | { type: 'present'; room: RoomId; person: Present }
  | { type: 'owner'; room: RoomId; owner: OwnerState }
  | { type: 'nick'; session: string; nick: string }
  | { type: 'removed'; room: RoomId }
  | { type: 'settings'; room: RoomId; locked?: boolean; slowSeconds?: number }
  | { type: 'mute'; room: RoomId; session: string; pid: string; muted: boolean };

/** Reacts to applied changes: `local` ones were made in this process, the others heard. */
export type ChangeListener = (change: RoomChange, local: boolean) => void;

/**
 * The one path of every change: `commit` applies it here, tells the browsers (Socket.IO reaches
 * every process's sockets) and tells the other processes, which `receive` it and only apply it.
 */
export class RoomChanges {
  private readonly listeners: ChangeListener[] = [];

  constructor(private readonly deps: { state: RoomState; notifier: Notifier; cluster: Cluster }) {}

  listen(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  commit(change: RoomChange): void {
    const rooms = change.type === 'nick' ? this.deps.state.roomsOf(change.session) : [];
    this.deps.state.apply(change);
    this.announce(change, rooms);
    this.deps.cluster.publish(change);
    for (const listener of this.listeners) listener(change, true);
  }

  receive(change: RoomChange): void {
    this.deps.state.apply(change);
    for (const listener of this.listeners) listener(change, false);
  }

  /** Sends a room's participant list to everyone in it, or everyone but one person's tabs. */
  private participants(room: RoomId, exceptPid?: string): void {
    if (this.deps.state.get(room))
      this.deps.notifier.participants(room, this.deps.state.participants(room), exceptPid);
  }

  private announce(change: RoomChange, renamedIn: RoomId[]): void {
    const { state, notifier } = this.deps;
    const lobby = (room: RoomId) => {
      const view = state.get(room);
      if (view) notifier.roomUpdated(view);
    };
    switch (change.type) {
      case 'room':
        return notifier.roomCreated(change.view);
      case 'seat':
        lobby(change.room);
        if (!change.taken) this.participants(change.room);
        return;
      case 'present':
        // The arriving tab gets the list in its join acknowledgement, not twice.
        return this.participants(change.room, change.person.pid);
      case 'owner':
        lobby(change.room);
        notifier.owner(change.room, change.owner.pid);
        return this.participants(change.room);
      case 'nick':
        for (const room of renamedIn) {
          if (state.isOwner(room, change.session)) lobby(room);
          this.participants(room);
        }
        return;
      case 'removed':
        return notifier.roomRemoved(change.room);
      case 'settings':
      case 'mute':
        if (change.type === 'settings' && change.locked !== undefined) lobby(change.room);
        return notifier.settings(change.room, state.settings(change.room));
    }
  }
}
