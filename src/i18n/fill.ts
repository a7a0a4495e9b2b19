export type Params = Record<string, string | number | undefined>;

/** Puts parameters into a dictionary text: `fill('at most {max}', { max: 60 })`. */
export const fill = (text: string, params: Params = {}): string =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
