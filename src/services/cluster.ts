import type { OwnerState } from './ownership';
import type { Present } from './participants';
import type { RoomView } from './types';

/**
 * What one process tells the others when its cached view of rooms changes. Browsers hear about
 * changes through Socket.IO (its adapter reaches every process); these events only keep the other
 * processes' caches current. The database stays the authority: capacity, ownership, sequence
 * numbers and removal are decided there, so a late or lost event can only make a cache stale.
 */
export type ClusterEvent =
  | { type: 'room'; view: RoomView; owner: OwnerState; session: string }
  | { type: 'seat'; room: string; session: string; taken: boolean }
  | { type: 'present'; room: string; person: Present }
  | { type: 'owner'; room: string; owner: OwnerState }
  | { type: 'nick'; session: string; nick: string }
  | { type: 'removed'; room: string };

/** The other processes serving this site, if any. */
export interface Cluster {
  /** True when this process serves the site alone, so its caches are the whole truth. */
  readonly alone: boolean;
  publish(event: ClusterEvent): void;
  /** Whether any process has a tab of this person joined to the room. */
  hasTab(room: string, session: string): Promise<boolean>;
}

/** One process serves the site: its own presence tracking is the whole truth. */
export const singleProcess: Cluster = {
  alone: true,
  publish: () => undefined,
  hasTab: () => Promise.resolve(false),
};
