export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 11000;
}

/**
 * Awaits an insert whose unique index makes it a claim: true for the one writer that got it,
 * false when it was already there. The building block of every rule that must hold under
 * concurrency, since FerretDB does not isolate updates but does enforce unique indexes.
 */
export async function claimed(insert: Promise<unknown>): Promise<boolean> {
  try {
    await insert;
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
