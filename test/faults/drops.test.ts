import mongoose from 'mongoose';
import { createApp, type GifChat } from '../../src/app';
import { createLogger } from '../../src/logger';
import { Message, type MessageDoc } from '../../src/models/message.model';
import { listen, startHarness, type Harness } from '../support/harness';
import { eventually } from '../support/wait';
import { TcpProxy } from '../support/proxy';
import { Tab } from '../support/tab';

// Clients drop for 1–60 s — a network cut, a laptop asleep (then waking or not), the server
// restarting on the same database — while others keep sending; once all is quiet again, every tab
// holds every message of its room once, in order, and every acknowledged send exists once.

const SEED = Number(process.env.DROPS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ROOMS = 3;
const TABS_PER_ROOM = 11;
const SENDERS_PER_ROOM = 3;
/** Drops start only while this much of the run has not passed (a drop may last to its end). */
const CHAOS_MS = 100_000;
const RESTARTS_AT_MS = [30_000, 65_000];

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with DROPS_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let h: Harness;
let app: GifChat;
const tabs: Tab[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  h = await startHarness({
    // Rooms and seats outlive the longest drop; the budgets are not what this test is about.
    ROOM_GRACE_MS: 600_000,
    SEAT_TTL_MS: 600_000,
    MESSAGES_PER_10S: 10_000,
    JOINS_PER_MINUTE: 10_000,
    // Small enough that drops of a dozen seconds miss more than one replay: truncated rejoins.
    REPLAY_MAX: 60,
  });
  app = h;
});

afterAll(async () => {
  for (const tab of tabs) tab.close();
  await Promise.all(proxies.map((p) => p.close()));
  if (app !== h) await app.close();
  await h.close();
});

const portOf = (url: string) => Number(new URL(url).port);

/** Stops the app and starts a new one on the same database; the proxies follow it. */
async function restart(): Promise<void> {
  await (app === h ? h.stop() : app.close());
  const next = createApp({
    config: h.config,
    logger: createLogger('warn'),
    connection: mongoose.connection,
  });
  const port = portOf(await listen(next));
  app = next;
  for (const proxy of proxies) proxy.retarget(port);
}

test('dropped tabs catch up: every message once, in order; every acknowledged send once', async () => {
  process.stdout.write(`drops: seed ${SEED} (DROPS_SEED=${SEED} replays this run)\n`);
  // Each tab draws from its own sequence, so a seed replays the same drops whatever the timing.
  const randomOf = (i: number, stream: number) => prng(SEED + i * 7919 + stream * 104729);

  const rooms: string[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const owner = await h.visitor();
    const room = await owner.createRoom({ title: `drops ${r}`, max: 100 });
    rooms.push(room);
    for (let i = 0; i < TABS_PER_ROOM; i++) {
      const v = i === 0 ? owner : await h.visitor();
      const proxy = await TcpProxy.start(portOf(h.url));
      proxies.push(proxy);
      const tab = new Tab({
        name: `r${r}t${i}`,
        room,
        proxy,
        cookie: v.cookie,
        csrf: v.csrf,
        scrollsUp: i % 2 === 1,
      });
      tabs.push(tab);
      await tab.open();
    }
  }
  await eventually(() => tabs.every((t) => t.isJoined), {
    within: 60_000,
    what: 'every tab to join its room',
  });

  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let drops = 0;
  const kinds: Record<string, number> = {};
  const count = (kind: string, n = 1) => {
    drops += n;
    kinds[kind] = (kinds[kind] ?? 0) + n;
  };

  // Senders type on whatever happens to their network, over the socket or HTTP (as the outbox
  // chooses), and some over HTTP always (a form post, an upload's path).
  let sending = true;
  const senders = tabs
    .filter((_t, i) => i % TABS_PER_ROOM < SENDERS_PER_ROOM)
    .map(async (tab) => {
      const rand = randomOf(tabs.indexOf(tab), 1);
      for (let n = 0; sending; n++) {
        await sleep(300 + rand() * 600);
        // A person does not type a hundred messages into a dead connection.
        if (tab.pendingSends() < 20)
          void tab.send(`${tab.name} #${n}`, rand() < 0.25 ? 'http' : undefined);
      }
    });

  // Each tab's network fails on its own, again and again: mostly short, some up to a minute.
  const droppers = tabs.map(async (tab, i) => {
    const proxy = proxies[i]!;
    const random = randomOf(i, 2);
    const between = (min: number, max: number) => min + random() * (max - min);
    await sleep(between(0, 3000));
    for (;;) {
      const ms = (() => {
        const p = random();
        if (p < 0.7) return between(1000, 8000);
        if (p < 0.9) return between(8000, 25_000);
        return between(25_000, 60_000);
      })();
      if (elapsed() + ms > CHAOS_MS) break;
      if (random() < 0.5) {
        count('cut');
        proxy.refuse(true);
        proxy.cut();
        await sleep(ms);
        proxy.refuse(false);
      } else {
        const wakesCut = random() < 0.5;
        count(wakesCut ? 'freeze+cut' : 'freeze');
        proxy.freeze();
        await sleep(ms);
        if (wakesCut) proxy.cut();
        proxy.thaw();
      }
      await sleep(between(1000, 5000));
    }
  });

  const restarts = (async () => {
    for (const at of RESTARTS_AT_MS) {
      await sleep(Math.max(0, at - elapsed()));
      await restart();
      count('restart', tabs.length);
    }
  })();

  await Promise.all([...droppers, restarts]);
  sending = false;
  await Promise.all(senders);

  // Quiet: every send answered, every tab back in its room and up to its room's newest message.
  await Promise.all(tabs.map((t) => t.sent()));
  const stored = async (room: string) =>
    Message.find({ room }).sort({ seq: 1 }).lean<MessageDoc[]>();
  await eventually(
    async () => {
      if (!tabs.every((t) => t.isJoined)) return false;
      await app.settled();
      for (const [r, room] of rooms.entries()) {
        const top = (await stored(room)).at(-1)?.seq ?? 0;
        const inRoom = tabs.slice(r * TABS_PER_ROOM, (r + 1) * TABS_PER_ROOM);
        if (inRoom.some((t) => t.lastSeq() < top)) return false;
      }
      return true;
    },
    { within: 120_000, what: 'every tab back in its room and up to its newest message' },
  );
  // The readers scroll to the top: older pages fill in before what they hold, never a hole.
  await Promise.all(tabs.map((t) => t.readAll()));

  const missing: Record<string, string> = {};
  let messages = 0;
  for (const [r, room] of rooms.entries()) {
    const docs = await stored(room);
    messages += docs.length;
    const want = docs.map((d) => d.seq);
    expect(new Set(docs.map((d) => String(d._id))).size).toBe(docs.length);
    for (const tab of tabs.slice(r * TABS_PER_ROOM, (r + 1) * TABS_PER_ROOM)) {
      const held = [...tab.held.keys()].sort((a, b) => a - b);
      const got = new Set(held);
      const lost = want.filter((s) => !got.has(s));
      const extra = held.filter((s) => !want.includes(s));
      if (lost.length || extra.length)
        missing[tab.name] = `lost ${runs(lost)}; extra ${runs(extra)}`;
      // The same message is held once, under the seq it was stored with.
      const byId = new Map(docs.map((d) => [String(d._id), d.seq]));
      for (const [seq, m] of tab.held) expect(byId.get(m._id)).toBe(seq);
    }
    // Every acknowledged send exists once, as acknowledged.
    const ids = new Set(docs.map((d) => String(d._id)));
    for (const tab of tabs.filter((t) => rooms.indexOf(t.room) === r))
      for (const m of tab.acknowledged) expect(ids.has(m._id)).toBe(true);
    const cids = docs.filter((d) => d.cid).map((d) => `${d.pid}/${d.cid}`);
    expect(new Set(cids).size).toBe(cids.length);
  }
  const acknowledged = tabs.reduce((n, t) => n + t.acknowledged.length, 0);
  const truncated = tabs.reduce((n, t) => n + t.truncations, 0);
  process.stdout.write(
    `drops: ${drops} (${JSON.stringify(kinds)}), ${messages} messages stored, ` +
      `${acknowledged} sends acknowledged, ${truncated} truncated rejoins\n`,
  );
  // One look at everything that went wrong, so a failing run says all of it.
  const refused: Record<string, number> = {};
  for (const { code } of tabs.flatMap((t) => t.refused)) refused[code] = (refused[code] ?? 0) + 1;
  expect({ missing, refused, problems: tabs.flatMap((t) => t.problems) }).toEqual({
    missing: {},
    refused: {},
    problems: [],
  });
  expect(drops).toBeGreaterThanOrEqual(100);
  expect(acknowledged).toBeGreaterThan(0);
}, 420_000);

/** 3,4,5,9 → "3-5,9". */
function runs(seqs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < seqs.length;) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++;
    out.push(i === j ? `${seqs[i]}` : `${seqs[i]}-${seqs[j]} (${j - i + 1})`);
    i = j + 1;
  }
  return out.join(',') || 'none';
}
