/**
 * `fn` remembered for its newest `max` arguments (the oldest is forgotten first): for pure,
 * costly functions of an id asked on every request or event (a keyed hash, a colour).
 */
export function remembered(fn: (key: string) => string, max: number): (key: string) => string {
  const kept = new Map<string, string>();
  return (key) => {
    let value = kept.get(key);
    if (value === undefined) {
      value = fn(key);
      if (kept.size >= max) kept.delete(kept.keys().next().value!);
      kept.set(key, value);
    }
    return value;
  };
}
