/**
 * Values kept by key, the newest `max` of them (the oldest is forgotten first), each computed by
 * `compute` the first time its key is asked for: for answers that need more than the key to work
 * out, such as a header negotiated through its request, asked for on every request.
 */
export function keptBy<T>(max: number): (key: string, compute: () => T) => T {
  const kept = new Map<string, T>();
  return (key, compute) => {
    let value = kept.get(key);
    if (value === undefined) {
      value = compute();
      if (kept.size >= max) kept.delete(kept.keys().next().value!);
      kept.set(key, value);
    }
    return value;
  };
}

/**
 * `fn` remembered for its newest `max` arguments (the oldest is forgotten first): for pure,
 * costly functions of an id asked on every request or event (a keyed hash, a colour).
 */
export function remembered(fn: (key: string) => string, max: number): (key: string) => string {
  const kept = keptBy<string>(max);
  return (key) => kept(key, () => fn(key));
}
