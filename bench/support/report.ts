/* What a section found: figures side by side and goals as ratios, printed as markdown tables. */
import type { BenchDatabase } from './db';

export interface Context {
  db: BenchDatabase;
  quick: boolean;
  /** Measurements of each server per section (each on a freshly started server). */
  rounds: number;
  log(line: string): void;
}

export type Column = 'baseline' | 'classic' | 'dev' | 'prod';

export interface Figure {
  work: string;
  cells: Partial<Record<Column, string>>;
}

export interface Goal {
  goal: string;
  dev?: number;
  prod?: number;
  /** How a ratio is shown (e.g. 12.3× or 45%). */
  format: (v: number) => string;
  /** Whether a value meets the goal. */
  ok: (v: number) => boolean;
}

export interface SectionResult {
  figures: Figure[];
  goals: Goal[];
  notes?: string[];
  /** Markdown included as it is (another tool's table). */
  markdown?: string;
}

export const HEADINGS: Record<Column, string> = {
  baseline: 'bare / floor / raw',
  classic: 'classic app',
  dev: 'GifChat `npm start`',
  prod: 'GifChat production',
};

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

export function figuresTable(figures: Figure[]): string {
  const columns = Object.keys(HEADINGS) as Column[];
  return [
    row(['work', ...columns.map((c) => HEADINGS[c])]),
    row(['---', ...columns.map(() => '---')]),
    ...figures.map((f) => row([f.work, ...columns.map((c) => f.cells[c] ?? '—')])),
  ].join('\n');
}

export const met = (goal: Goal): boolean | null => {
  const values = [goal.dev, goal.prod].filter((v): v is number => v !== undefined);
  if (values.length === 0 || values.some((v) => Number.isNaN(v))) return null;
  return values.every(goal.ok);
};

export function goalsTable(goals: Goal[]): string {
  const show = (goal: Goal, v?: number) =>
    v === undefined ? '—' : Number.isNaN(v) ? 'n/a' : `${goal.format(v)}${goal.ok(v) ? '' : ' ✗'}`;
  return [
    row(['goal', HEADINGS.dev, HEADINGS.prod, 'met']),
    row(['---', '---', '---', '---']),
    ...goals.map((g) => {
      const m = met(g);
      return row([
        g.goal,
        show(g, g.dev),
        show(g, g.prod),
        m === null ? '?' : m ? 'yes' : '**no**',
      ]);
    }),
  ].join('\n');
}

export const times = (v: number) => `${v.toFixed(v >= 10 ? 0 : 2)}×`;
export const percent = (v: number) => `${(v * 100).toFixed(0)}%`;

/**
 * Measures every kind once per round, interleaved (a, b, c, a, b, c, …) so that a change in the
 * machine's load falls on all of them; returns each kind's measurements.
 */
export async function interleaved<K extends string, R>(
  rounds: number,
  kinds: readonly K[],
  measure: (kind: K) => Promise<R>,
): Promise<(kind: K) => R[]> {
  const results = new Map<K, R[]>();
  for (let round = 0; round < rounds; round++)
    for (const kind of kinds)
      results.set(kind, [...(results.get(kind) ?? []), await measure(kind)]);
  return (kind) => results.get(kind) ?? [];
}
