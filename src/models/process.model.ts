import { Schema, model } from 'mongoose';
import { isDuplicateKey } from '../lib/mongo';

/**
 * One document per running process, refreshed by its sweeper: a seat belongs to the process
 * holding its person's live tab (`Seat.proc`), and stays while that process is seen. One write per
 * process and sweep, however many seats: touching every seat each sweep was one write per seat
 * (100 seats took ~90 ms on FerretDB/SQLite, and every message insert waited behind them).
 */
const processSchema = new Schema(
  {
    _id: { type: String, required: true },
    seen: { type: Date, required: true },
  },
  { versionKey: false },
);

export const ServerProcess = model('ServerProcess', processSchema, 'processes');

/** This process is alive now. Only its own sweeper and its closing write it, one at a time. */
export async function beat(id: string, at: Date): Promise<void> {
  const { matchedCount } = await ServerProcess.updateOne({ _id: id }, { $set: { seen: at } });
  if (matchedCount > 0) return;
  // Not there yet (or expired while the process stalled for a day): the unique _id keeps one.
  await ServerProcess.create({ _id: id, seen: at }).catch((err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
  });
}

/** Ids of the processes seen since `since`. */
export async function liveProcesses(since: Date): Promise<Set<string>> {
  const docs = await ServerProcess.find({ seen: { $gte: since } }, { _id: 1 }).lean();
  return new Set(docs.map((d) => d._id));
}

/** Forgets processes gone long ago (their seats have been released since). */
export async function expireProcesses(before: Date): Promise<void> {
  await ServerProcess.deleteMany({ seen: { $lt: before } });
}
