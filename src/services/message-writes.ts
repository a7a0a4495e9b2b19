import { Message, type MessageDoc } from '../models/message.model';
import type { Outcome } from '../lib/batches';
import { isDuplicateKey } from '../lib/mongo';
import { plainBuilder } from '../models/plain-doc';

const buildPlain = plainBuilder(Message.schema);

async function throughSchema(draft: object): Promise<Outcome<MessageDoc>> {
  const doc = new Message(draft);
  try {
    await doc.validate();
    return { ok: true, value: doc.toObject() };
  } catch (error) {
    return { ok: false, error };
  }
}

interface WriteError {
  index: number;
  code?: unknown;
}

/**
 * Stores messages in one round trip, each standing or failing alone (unordered): checked and
 * completed as `Message.create` would (models/plain-doc.ts, or the schema itself), then one
 * `insertMany`. A message that breaks a unique index (a retried client id, a seq taken) fails
 * with its duplicate-key error. A message alone (no crowd) is one `insertOne`, as before batching.
 */
export async function storeMessages(drafts: object[]): Promise<Outcome<MessageDoc>[]> {
  // Built by hand where the schema allows (microseconds each, no Mongoose document); a draft it
  // cannot build exactly goes through the schema, which casts it or says why not.
  const outcomes: Outcome<MessageDoc>[] = [];
  for (const draft of drafts) {
    const value = buildPlain(draft) as MessageDoc | undefined;
    outcomes.push(value ? { ok: true, value } : await throughSchema(draft));
  }
  const valid = outcomes.flatMap((o, i) => (o.ok ? [{ at: i, doc: o.value }] : []));
  let batchFailed = false;
  if (valid.length > 1) {
    try {
      await Message.collection.insertMany(
        valid.map((v) => v.doc),
        { ordered: false },
      );
      return outcomes;
    } catch (err) {
      const failed = [
        (err as { writeErrors?: WriteError | WriteError[] }).writeErrors ?? [],
      ].flat();
      for (const error of failed) {
        const at = valid[error.index]?.at;
        if (at !== undefined) outcomes[at] = { ok: false, error };
      }
      if (failed.length) return outcomes;
      // Failed as a whole: the driver's error no longer says why (down or not). Each is tried
      // alone below and gets the database's own answer.
      batchFailed = true;
    }
  }
  await Promise.all(
    valid.map(async ({ at, doc }) => {
      try {
        await Message.collection.insertOne(doc);
      } catch (error) {
        // Stored by the batch that failed as a whole (its own id under its own seq): it stands.
        const ours =
          batchFailed &&
          isDuplicateKey(error) &&
          (await Message.exists({ _id: doc._id, seq: doc.seq }));
        if (!ours) outcomes[at] = { ok: false, error };
      }
    }),
  );
  return outcomes;
}
