import { createHash } from 'node:crypto';
import { Schema, model, Types } from 'mongoose';
import { claimed } from '../lib/mongo';

/**
 * One person's report of one message: its `_id` is derived from message and reporter, so the
 * unique `_id` index makes "one report per person per message" hold under any race. A message's
 * number of reporters is counted from these documents.
 */
const reportSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    room: { type: Schema.Types.ObjectId, required: true },
    message: { type: Schema.Types.ObjectId, required: true },
    pid: { type: String, required: true },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

export const Report = model('Report', reportSchema);

/**
 * The owner's decision on a reported message, keyed by the message: once decided (dismissed or
 * removed) it leaves the queue, is no longer blurred, and takes no more reports.
 */
const decisionSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    room: { type: Schema.Types.ObjectId, required: true },
    action: { type: String, enum: ['remove', 'dismiss'], required: true },
  },
  { versionKey: false },
);

export const ReportDecision = model('ReportDecision', decisionSchema);

const reportId = (message: string, pid: string) =>
  new Types.ObjectId(createHash('sha256').update(`${message}\n${pid}`).digest().subarray(0, 12));

/** Files the report; false when this person had reported the message already. */
export function fileReport(room: string, message: string, pid: string): Promise<boolean> {
  return claimed(Report.create({ _id: reportId(message, pid), room, message, pid }));
}

/** Records the owner's decision; false when the message was decided already. */
export function decide(room: string, message: string, action: 'remove' | 'dismiss') {
  return claimed(ReportDecision.create({ _id: message, room, action }));
}

export async function isDecided(message: string): Promise<boolean> {
  return Boolean(await ReportDecision.exists({ _id: message }));
}

/** Reporters per message, for the undecided messages among `messages` (or the whole room). */
export async function openReports(
  filter: { room: string } | { messages: string[] },
): Promise<Map<string, number>> {
  const query = 'room' in filter ? { room: filter.room } : { message: { $in: filter.messages } };
  if ('messages' in filter && !filter.messages.length) return new Map();
  const [reports, decided] = await Promise.all([
    Report.find(query, { message: 1 }).lean<{ message: Types.ObjectId }[]>(),
    ReportDecision.find(
      'room' in filter ? { room: filter.room } : { _id: { $in: filter.messages } },
      {
        _id: 1,
      },
    ).lean<{ _id: Types.ObjectId }[]>(),
  ]);
  const closed = new Set(decided.map((d) => String(d._id)));
  const counts = new Map<string, number>();
  for (const { message } of reports) {
    const id = String(message);
    if (!closed.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
