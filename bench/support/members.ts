/* People in one room of a server, each with a page loaded and a tab open, able to send a message
 * the way the classic app does (HTTP POST) or the way GifChat's browser does (the socket). */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { isGifChat, type Kind } from './servers';
import { ask, Browser, csrfOf } from './browser';
import { pool, sleep } from './stats';

export type Way = 'http' | 'socket';

export interface Member {
  browser: Browser;
  socket: Socket;
  send(text: string, way: Way): Promise<void>;
}

export interface Room {
  id: string;
  members: Member[];
  close(): void;
}

/** Opens a room of `count` members (the first creates it) on a server of `kind`. */
export async function openRoom(kind: Kind, base: string, count: number): Promise<Room> {
  if (kind === 'floor' || kind === 'raw') return floorRoom(base, count);
  const creator = new Browser(base);
  const id = isGifChat(kind) ? await createGifChatRoom(creator) : await createClassicRoom(creator);
  const members = await pool(Array.from({ length: count }), 5, async (_, i) => {
    const browser = i === 0 ? creator : new Browser(base);
    return isGifChat(kind) ? gifchatMember(browser, id) : classicMember(browser, id);
  });
  // The classic app's join has no acknowledgement: let the last joins land.
  if (!isGifChat(kind)) await sleep(500);
  return {
    id,
    members,
    close: () => members.forEach((m) => (m.socket.disconnect(), m.browser.close())),
  };
}

async function createGifChatRoom(browser: Browser): Promise<string> {
  const { html } = await browser.page('/room');
  const res = await browser.request('/room', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrfOf(html) },
    body: new URLSearchParams({ title: 'bench', max: '100', password: '' }),
  });
  await res.arrayBuffer();
  if (res.status !== 303) throw new Error(`GifChat room not created: ${res.status}`);
  return res.headers.get('location')!.split('/').pop()!;
}

async function gifchatMember(browser: Browser, room: string): Promise<Member> {
  const page = `/room/${room}`;
  const { html } = await browser.page(page);
  const csrf = csrfOf(html);
  const socket = await browser.socket(page);
  const joined = await ask(socket, 'join', room);
  if (!joined.ok) throw new Error(`join refused: ${joined.error?.code}`);
  return {
    browser,
    socket,
    send: async (text, way) => {
      const cid = randomUUID();
      if (way === 'socket') {
        const ack = await ask(socket, 'chat', { chat: text, cid });
        if (!ack.ok) throw new Error(`chat refused: ${ack.error?.code}`);
        return;
      }
      const res = await browser.post(
        `/room/${room}/chat`,
        { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        JSON.stringify({ chat: text, cid }),
      );
      if (res.status !== 201)
        throw new Error(`chat refused: ${res.status} ${res.text.slice(0, 200)}`);
    },
  };
}

async function createClassicRoom(browser: Browser): Promise<string> {
  await browser.page('/');
  const res = await browser.request('/room', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ title: 'bench', max: '100', password: '' }),
  });
  await res.arrayBuffer();
  if (res.status !== 302) throw new Error(`classic room not created: ${res.status}`);
  return res.headers.get('location')!.split('/').pop()!;
}

async function classicMember(browser: Browser, room: string): Promise<Member> {
  const page = `/room/${room}`;
  await browser.page(page);
  const socket = await browser.socket(page);
  socket.emit('join', room);
  return {
    browser,
    socket,
    send: async (text) => {
      const res = await browser.post(
        `/room/${room}/chat`,
        { 'content-type': 'application/json' },
        JSON.stringify({ chat: text }),
      );
      if (res.status !== 200)
        throw new Error(`chat refused: ${res.status} ${res.text.slice(0, 200)}`);
    },
  };
}

async function floorRoom(base: string, count: number): Promise<Room> {
  const id = randomUUID();
  const members = await pool(Array.from({ length: count }), 10, async () => {
    const browser = new Browser(base);
    const socket = await browser.socket('/');
    await ask(socket, 'join', id);
    return {
      browser,
      socket,
      send: async (text: string, way: Way) => {
        if (way === 'socket') return void (await ask(socket, 'chat', { room: id, chat: text }));
        await browser.post(
          '/chat',
          { 'content-type': 'application/json' },
          JSON.stringify({ room: id, chat: text }),
        );
      },
    };
  });
  return {
    id,
    members,
    close: () => members.forEach((m) => (m.socket.disconnect(), m.browser.close())),
  };
}
