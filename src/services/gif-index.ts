// Browser code imports PickerItem (public/js/types.d.ts): import nothing that needs Node.
import type { ChatMessage } from './types';

/** One GIF sent in a room: what the picker lists and what a re-send is checked against. */
export interface GifSend {
  /** The message's id: the same message seen twice (a retry, a reload) counts once. */
  id: string;
  room: string;
  pid: string;
  at: number;
  gif: string;
  poster?: string;
  video?: string;
  width?: number;
  height?: number;
  gifName?: string;
}

/** A GIF as the picker shows it (`GET /gifs`). */
export type PickerItem = Omit<GifSend, 'id' | 'room' | 'pid' | 'at'> & {
  /** The stored name to send again (`{ name }` on the socket, `gif` over HTTP). */
  name: string;
  /** Popular: how often it was sent in the period. */
  count?: number;
};

export const PICKER_PAGE = 30;
export const POPULAR_DAYS = 7;
const DAY_MS = 86_400_000;

export function sendOf(m: ChatMessage): GifSend | null {
  if (!m.gif || !m.pid) return null;
  const send: GifSend = {
    id: m._id,
    room: m.room,
    pid: m.pid,
    at: Date.parse(m.createdAt),
    gif: m.gif,
  };
  for (const key of ['poster', 'video', 'gifName'] as const) if (m[key]) send[key] = m[key];
  if (m.width && m.height) Object.assign(send, { width: m.width, height: m.height });
  return send;
}

/** Case, width and accents folded, so "Cat", "ｃａｔ" and "cat" find each other. */
const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

const matcher = (q: string | undefined) => {
  const wanted = q ? fold(q.trim()) : '';
  return (s: GifSend) => !wanted || fold(s.gifName ?? '').includes(wanted);
};

function item(s: GifSend, count?: number): PickerItem {
  const shown: PickerItem = { name: s.gif.slice(s.gif.lastIndexOf('/') + 1), gif: s.gif };
  for (const key of ['poster', 'video', 'width', 'height', 'gifName'] as const)
    if (s[key] !== undefined) Object.assign(shown, { [key]: s[key] });
  return count ? { ...shown, count } : shown;
}

/**
 * GIF sends, oldest first, at most `max`: the picker's lists and re-send checks are answered by
 * scanning them in memory, never by a query whose cost grows with what is stored. A process serving
 * the site alone keeps one for the site; in a cluster, one is filled per request by a bounded query.
 */
export class GifIndex {
  private sends: GifSend[] = [];
  private readonly ids = new Set<string>();

  constructor(private readonly max = 20_000) {}

  get size(): number {
    return this.sends.length;
  }

  add(send: GifSend | null): void {
    if (!send || this.ids.has(send.id)) return;
    this.ids.add(send.id);
    // Usually the newest; a late one (another process's, a bounded load) goes where it belongs.
    let at = this.sends.length;
    while (at > 0 && this.sends[at - 1]!.at > send.at) at--;
    this.sends.splice(at, 0, send);
    if (this.sends.length > this.max)
      this.remove(this.sends.slice(0, this.sends.length - this.max));
  }

  /** The person's GIFs, newest first, each once. */
  recent(pid: string, q?: string, limit = PICKER_PAGE): PickerItem[] {
    const matches = matcher(q);
    const seen = new Set<string>();
    const out: PickerItem[] = [];
    for (let i = this.sends.length - 1; i >= 0 && out.length < limit; i--) {
      const s = this.sends[i]!;
      if (s.pid !== pid || seen.has(s.gif) || !matches(s)) continue;
      seen.add(s.gif);
      out.push(item(s));
    }
    return out;
  }

  /** The most sent in the last POPULAR_DAYS in rooms `visible` to the reader, ties newest first. */
  popular(visible: (room: string) => boolean, now: number, q?: string, limit = PICKER_PAGE) {
    const matches = matcher(q);
    const since = now - POPULAR_DAYS * DAY_MS;
    const counts = new Map<string, { send: GifSend; count: number; order: number }>();
    for (let i = this.sends.length - 1; i >= 0; i--) {
      const s = this.sends[i]!;
      if (s.at < since) break;
      if (!visible(s.room) || !matches(s)) continue;
      const seen = counts.get(s.gif);
      if (seen) seen.count++;
      else counts.set(s.gif, { send: s, count: 1, order: counts.size });
    }
    return [...counts.values()]
      .sort((a, b) => b.count - a.count || a.order - b.order)
      .slice(0, limit)
      .map(({ send, count }) => item(send, count));
  }

  /** The newest send of `gif` that `allowed` accepts. */
  find(gif: string, allowed: (s: GifSend) => boolean): GifSend | undefined {
    for (let i = this.sends.length - 1; i >= 0; i--) {
      const s = this.sends[i]!;
      if (s.gif === gif && allowed(s)) return s;
    }
    return undefined;
  }

  /** A kept send's message got its poster and video (made after it was sent). */
  media(id: string, media: Pick<GifSend, 'poster' | 'video'>): void {
    if (!this.ids.has(id)) return;
    for (let i = this.sends.length - 1; i >= 0; i--)
      if (this.sends[i]!.id === id) {
        this.sends[i] = { ...this.sends[i]!, ...media };
        return;
      }
  }

  /** Forgets sends of deleted messages: a room's, those before a date, those of deleted files. */
  forget(which: (s: GifSend) => boolean): void {
    this.remove(this.sends.filter(which));
  }

  private remove(gone: GifSend[]): void {
    if (gone.length === 0) return;
    const set = new Set(gone);
    for (const s of gone) this.ids.delete(s.id);
    this.sends = this.sends.filter((s) => !set.has(s));
  }
}
