import mongoose from 'mongoose';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // No sweep during the test (it expires sessions): the commands counted are the requests' own.
  h = await startHarness({ SWEEP_INTERVAL_MS: 3_600_000 });
  await h.sweeper.sweep(); // the one a start runs
});
afterAll(() => h.close());

/** The database commands (name and collection) sent while `fn` runs. */
async function commandsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const commands: string[] = [];
  const client = mongoose.connection.getClient();
  const watch = (e: { commandName: string; command: Record<string, unknown> }) =>
    commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
  client.on('commandStarted', watch);
  try {
    await fn();
  } finally {
    client.off('commandStarted', watch);
  }
  return commands.filter((c) => c.endsWith(' sessions'));
}

test('a new visitor’s session is stored by one insert (no lookup of the stored ones); a changed one is replaced', async () => {
  let visitor!: Awaited<ReturnType<Harness['visitor']>>;
  // Over FerretDB/SQLite a lookup of a session scans every stored one; an insert does not.
  expect(await commandsOf(async () => (visitor = await h.visitor()))).toEqual(['insert sessions']);

  const changed = await commandsOf(() => visitor.createRoom({ title: 'locked', password: 'pw' }));
  expect(changed).toEqual(['update sessions']);
  // The signed cookie: s:<id>.<signature>, URL-encoded.
  const signed = decodeURIComponent(/gifchat\.sid=([^;]+)/.exec(visitor.cookie)?.[1] ?? '');
  const sid = signed.slice(2, signed.lastIndexOf('.'));
  const stored = await mongoose.connection
    .collection<{ _id: string; session: string }>('sessions')
    .findOne({ _id: sid });
  expect(JSON.parse(stored!.session)).toMatchObject({ unlocked: [expect.any(String)] });
});
