/// <reference lib="dom" />
import type { Browser, Locator } from 'playwright-core';
import type { Config } from '../../../src/config';
import { startHarness, type Harness } from '../../support/harness';
import { launch, open, type WatchedPage } from './browser';
import { createRoom, enter, unexpected } from './chat';

export interface Pair {
  harness: Harness;
  browser: Browser;
  /** Created the room (its owner). */
  alice: WatchedPage;
  bob: WatchedPage;
  room: string;
}

/**
 * Two browser contexts in one room of a fresh app, for a test file: started before its tests,
 * closed after them, and every page checked for console errors and CSP violations after each.
 */
export function usePair(title: string, overrides: Partial<Config> = {}): Pair {
  const pair = {} as Pair;
  beforeAll(async () => {
    [pair.harness, pair.browser] = await Promise.all([startHarness(overrides), launch()]);
    pair.alice = await open(pair.browser);
    pair.bob = await open(pair.browser);
    pair.room = await createRoom(pair.alice.page, pair.harness.url, { title });
    await enter(pair.bob.page, pair.harness.url, pair.room);
  });
  afterAll(async () => {
    await pair.browser?.close();
    await pair.harness?.close();
  });
  afterEach(() => {
    expect(unexpected(pair.alice.problems)).toEqual([]);
    expect(unexpected(pair.bob.problems)).toEqual([]);
  });
  return pair;
}

/**
 * Brings up a message's tools the keyboard way (focus inside the message): unlike a hover, it
 * stays while other messages arrive and move things on a busy machine.
 */
export async function showTools(message: Locator): Promise<void> {
  await message.locator('[data-act="reply"]').focus();
}
