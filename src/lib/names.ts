import { remove as withoutConfusables } from 'confusables';

/**
 * What a nickname looks like to a reader, for telling names apart: compatibility-normalised
 * (full-width "ｓｙｓｔｅｍ" is "system"), look-alike letters replaced by the letters they imitate
 * (Cyrillic "Аlice" is "Alice", via a confusables table), then case-folded. Two names with the
 * same key cannot be told apart in a participant list, so they cannot both be in one room.
 */
export function nameKey(nick: string): string {
  return withoutConfusables(nick.normalize('NFKC')).normalize('NFKC').toLowerCase();
}

/** Names nobody may take, however spelled. */
export const isReservedName = (nick: string): boolean => nameKey(nick) === 'system';
