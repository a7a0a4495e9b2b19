/**
 * A room's id at the service boundary: the ObjectId's 24 hex characters, lower-case. Branded, so
 * only `parseRoomId` (at the door) and `roomIdOf` (from stored documents) make one; Mongoose casts
 * it to an ObjectId in queries.
 */
export type RoomId = string & { readonly __brand: 'RoomId' };

const HEX24 = /^[0-9a-f]{24}$/i;

/** A room id from outside (URL, socket payload), canonical; null for anything else. */
export function parseRoomId(value: unknown): RoomId | null {
  return typeof value === 'string' && HEX24.test(value) ? (value.toLowerCase() as RoomId) : null;
}

/** The id of a stored room. */
export function roomIdOf(id: { toHexString(): string } | string): RoomId {
  return (typeof id === 'string' ? id : id.toHexString()).toLowerCase() as RoomId;
}
