import type { RoomView } from './types';

/** What the lobby shows: a search, an order, whether full rooms show, which page. */
export interface LobbyQuery {
  q: string;
  sort: 'new' | 'people';
  hideFull: boolean;
  page: number;
}

export interface LobbyPage {
  rooms: RoomView[];
  /** Rooms matching the search, on every page. */
  total: number;
  page: number;
  pages: number;
}

/** Rooms a lobby page lists: however many rooms exist, a page holds at most this many. */
export const LOBBY_PAGE = 24;

/** How titles are compared with a search: compatibility forms and case do not matter. */
export const searchable = (text: string) => text.normalize('NFKC').toLowerCase();

/** One page of the lobby, from the rooms newest first. */
export function lobbyPage(newestFirst: RoomView[], query: LobbyQuery): LobbyPage {
  const q = searchable(query.q.trim());
  let rooms = newestFirst.filter(
    (r) => (!q || searchable(r.title).includes(q)) && !(query.hideFull && r.size >= r.max),
  );
  // Stable: rooms with as many people stay newest first.
  if (query.sort === 'people') rooms = [...rooms].sort((a, b) => b.size - a.size);
  const pages = Math.max(1, Math.ceil(rooms.length / LOBBY_PAGE));
  const page = Math.min(query.page, pages);
  return {
    rooms: rooms.slice((page - 1) * LOBBY_PAGE, page * LOBBY_PAGE),
    total: rooms.length,
    page,
    pages,
  };
}
