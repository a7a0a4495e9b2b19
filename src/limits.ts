/**
 * Lengths the server enforces that browsers also check before sending, so a person hears at once
 * what is wrong. Pages tell their scripts these numbers (http/assets.ts); scripts keep no copies.
 * Browser code imports the ClientConfig type: keep this file free of imports.
 */
export const LIMITS = {
  nick: { min: 1, max: 24 },
  chat: { min: 1, max: 1000 },
  title: { min: 1, max: 60 },
  /** People a room may hold (the creation form's `max`). */
  people: { min: 2, max: 100 },
  password: { min: 1, max: 100 },
  /** The emoji people may react with: one of each per person per message. */
  reactions: ['👍', '❤️', '😂', '😮', '😢', '🎉'],
  /** How much of a message a reply quotes. */
  snippet: { max: 120 },
  /** Slow mode: seconds between one person's messages (0 is off). */
  slowSeconds: { min: 0, max: 3600 },
} as const;

type Range = { min: number; max: number };

/** What a page tells its scripts, as JSON in `<meta name="gifchat-config">`. */
export interface ClientConfig {
  nick: Range;
  chat: Range;
  title: Range;
  reactions: readonly string[];
  snippet: { max: number };
  /** The largest GIF upload accepted, in bytes. */
  maxGifBytes: number;
  /** The server forgets "is typing" after this much silence. */
  typingTimeoutMs: number;
}
