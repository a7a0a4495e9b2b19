import { Ban } from './ban.model';
import { Message } from './message.model';
import { Mute } from './mute.model';
import { Owner } from './owner.model';
import { Seat } from './seat.model';

/** Unique indexes carry the concurrency rules, so they must exist before the first write. */
export async function ensureIndexes(): Promise<void> {
  await Promise.all([Seat, Message, Owner, Ban, Mute].map((model) => model.createIndexes()));
}
