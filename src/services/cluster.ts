import type { RoomChange } from './room.changes';

/**
 * The other processes serving this site, if any. Browsers hear about changes through Socket.IO
 * (its adapter reaches every process); the processes hear of each other's `RoomChange`s here, to
 * keep their caches current. The database stays the authority: capacity, ownership, sequence
 * numbers and removal are decided there, so a late or lost change can only make a cache stale.
 */
export interface Cluster {
  /** True when this process serves the site alone, so its caches are the whole truth. */
  readonly alone: boolean;
  publish(change: RoomChange): void;
  /** Whether any process has a tab of this person joined to the room. */
  hasTab(room: string, session: string): Promise<boolean>;
}

/** One process serves the site: its own presence tracking is the whole truth. */
export const singleProcess: Cluster = {
  alone: true,
  publish: () => undefined,
  hasTab: () => Promise.resolve(false),
};
