import { Message } from '../../src/models/message.model';
import { startCluster, type ClusterHarness, type Node } from '../support/cluster';
import { TcpProxy } from '../support/proxy';
import { Tab } from '../support/tab';
import { eventually } from '../support/wait';

// With several processes, each announces its own messages in seq order, and the others' come
// through Redis: a tab can hear message N+1 of its own process before N of another. Cut off in
// between, it must still get N when it rejoins (the browser rejoins a little before what it heard).

let c: ClusterHarness;
let b: Node;
const proxies: TcpProxy[] = [];
const tabs: Tab[] = [];
beforeAll(async () => {
  c = await startCluster(2);
  b = c.nodes[1]!;
}, 60_000);
afterAll(async () => {
  tabs.forEach((t) => t.close());
  await Promise.all(proxies.map((p) => p.close()));
  await c.close();
});

test('a tab cut off between a newer message and an older one from another process gets both', async () => {
  const owner = await b.visitor();
  const room = await owner.createRoom({ title: 'crossing' });
  const proxy = await TcpProxy.start(Number(new URL(b.url).port));
  proxies.push(proxy);
  const tab = new Tab({ name: 'reader', room, proxy, cookie: owner.cookie, csrf: owner.csrf });
  tabs.push(tab);
  await tab.open();
  await eventually(() => tab.isJoined, { what: 'the tab to join' });

  // Another process has stored seq N; its announcement has not reached this one yet.
  const top = (await Message.findOne({ room }).sort({ seq: -1 }).lean())?.seq ?? 0;
  await Message.create({
    room,
    seq: top + 1,
    user: 'other',
    nick: 'other',
    chat: 'older, elsewhere',
  });
  // This process stores N+1 (after its seq collides with N) and the tab hears it at once.
  await tab.send('newer, here');
  await eventually(() => [...tab.held.values()].some((m) => m.chat === 'newer, here'), {
    what: 'the tab to hear its own message',
  });
  expect(tab.held.has(top + 1)).toBe(false);

  const joins = tab.joins;
  proxy.cut();
  await eventually(() => tab.joins > joins && tab.isJoined, { what: 'the tab to rejoin' });
  expect(tab.held.get(top + 1)?.chat).toBe('older, elsewhere');
  expect(tab.problems).toEqual([]);
});
