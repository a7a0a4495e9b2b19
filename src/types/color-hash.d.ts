declare module 'color-hash' {
  interface ColorHashOptions {
    lightness?: number | number[];
    saturation?: number | number[];
    hue?: number | { min: number; max: number };
  }
  export default class ColorHash {
    constructor(options?: ColorHashOptions);
    hex(input: string): string;
  }
}
