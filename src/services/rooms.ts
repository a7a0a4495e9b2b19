import type { Config } from '../config';
import type { Logger } from '../logger';
import { ensureIndexes } from '../models/indexes';
import { hasAnySeat } from '../models/seat.model';
import { Admission } from './admission';
import type { ChatService } from './chat.service';
import { singleProcess, type Cluster } from './cluster';
import { Presence } from './presence';
import { RoomChanges, type RoomChange } from './room.changes';
import { RoomLifecycle } from './room.lifecycle';
import { RoomModeration } from './room.moderation';
import { OwnerTools } from './room.owner';
import { RoomPeople } from './room.people';
import { RoomService } from './room.service';
import { RoomState } from './room.state';
import type { Notifier } from './types';

export interface RoomsDependencies {
  config: Config;
  notifier: Notifier;
  chat: ChatService;
  logger: Logger;
  /** The other processes serving this site; one process when absent. */
  cluster?: Cluster;
  /** Slow mode's gate (the budgets' `spacing`). */
  spacing: (key: string, seconds: number) => Promise<void>;
  /** This process's id: the seats of its live tabs name it (see RoomLifecycle). */
  process: string;
}

/** Everything about rooms, wired once: each part gets the narrow functions it needs. */
export interface Rooms {
  rooms: RoomService;
  admission: Admission;
  people: RoomPeople;
  owners: OwnerTools;
  moderation: RoomModeration;
  lifecycle: RoomLifecycle;
  /** Another process's change (the cluster calls it). */
  receive(change: RoomChange): void;
  /** Creates the indexes the rules rest on and loads what the database knows. */
  start(): Promise<void>;
  /** Resolves once every tab that left has been gone its grace period and its leave is done. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export function createRooms({
  config,
  notifier,
  chat,
  logger,
  cluster = singleProcess,
  spacing,
  process: processId,
}: RoomsDependencies): Rooms {
  const state = new RoomState();
  const changes = new RoomChanges({ state, notifier, cluster });
  const rooms = new RoomService({ state, changes, chat, cluster });
  const admission = new Admission({ state, changes, find: (room) => rooms.find(room) });
  const presence = new Presence(config.PRESENCE_GRACE_MS, (room, session) =>
    people
      .leave(room, session)
      .catch((err: unknown) => logger.error('leave failed', { room, err: String(err) })),
  );
  const people: RoomPeople = new RoomPeople({
    state,
    changes,
    admission,
    presence,
    chat,
    cluster,
    process: processId,
    passOwnership: (room, from) => owners.passOwnership(room, from),
  });
  const owners: OwnerTools = new OwnerTools({
    state,
    changes,
    admission,
    presence,
    notifier,
    remove: (room, session) => people.leave(room, session, 'removed'),
  });
  const moderation = new RoomModeration({ state, changes, spacing });
  const lifecycle = new RoomLifecycle({
    config,
    logger,
    rooms: () => state.list(),
    process: processId,
    isLive: (room, session) => presence.isLive(room, session),
    leave: (room, session) => people.leave(room, session),
    remove: (room) => rooms.remove(room),
    finishRemoval: (room) => rooms.finishRemoval(room),
    isEmpty: async (room) => !(await hasAnySeat(room)),
  });
  changes.listen(lifecycle.onChange);
  changes.listen((change) => {
    if (change.type === 'removed') presence.drop(change.room);
  });

  return {
    rooms,
    admission,
    people,
    owners,
    moderation,
    lifecycle,
    receive: (change) => changes.receive(change),
    start: async () => {
      await ensureIndexes();
      await rooms.load();
    },
    settled: () => presence.settled(),
    close: async () => {
      // Tabs closing with the process are not people leaving: their seats stay, seen as of now.
      await lifecycle
        .heartbeat()
        .catch((err: unknown) => logger.warn('seat heartbeat failed', { err: String(err) }));
      await presence.close();
      await lifecycle.close();
    },
  };
}
