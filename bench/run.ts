/*
 * `npm run bench`: GifChat measured under concurrency against physical limits (a bare Express
 * route, a raw Socket.IO insert + broadcast, raw Socket.IO, a plain multer write) and the classic
 * textbook app, side by side in one run on one FerretDB, each server in its own child process
 * started afresh for every measurement. Prints the figures and the goals as ratios; a full run
 * (no --only, no --quick) also writes bench/RESULTS.md.
 *
 *   npm run bench                      everything (~18 minutes)
 *   npm run bench -- --quick           shorter runs, fewer sockets, one chat scenario
 *   npm run bench -- --only lobby,chat sections: lobby, chat, sockets, uploads, volume, gifs
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chat } from './sections/chat';
import { gifs, hasGifs } from './sections/gifs';
import { lobby } from './sections/lobby';
import { sockets } from './sections/sockets';
import { uploads } from './sections/uploads';
import { volume } from './sections/volume';
import { startDatabase } from './support/db';
import { machine, type Machine } from './support/machine';
import { ROOT, run } from './support/process';
import { figuresTable, goalsTable, met, type Context, type SectionResult } from './support/report';

const SECTIONS = { lobby, chat, sockets, uploads, volume, gifs } as const;
type Section = keyof typeof SECTIONS;

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--only');
  const only = at >= 0 ? (argv[at + 1] ?? '').split(',').filter(Boolean) : [];
  const unknown = only.filter((s) => !(s in SECTIONS));
  if (unknown.length)
    throw new Error(`unknown section ${unknown.join(', ')}: ${Object.keys(SECTIONS).join(', ')}`);
  const sections = (only.length ? only : Object.keys(SECTIONS)) as Section[];
  return { quick, sections, full: !quick && only.length === 0 };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const { quick, sections, full } = parseArgs(process.argv.slice(2));
  const host: Machine = machine();
  const started = performance.now();
  log(
    `bench on ${host.cpu} (${host.cores} cores, ${host.memory}), node ${host.node}, load ${host.load}`,
  );
  // What `npm start` does first (its prestart): GifChat runs from the build.
  log('building GifChat (tsc -p tsconfig.build.json)…');
  await run(['npx', 'tsc', '-p', 'tsconfig.build.json']);
  const db = await startDatabase();
  const ctx: Context = { db, quick, rounds: quick ? 1 : 2, log };
  const results: { section: Section; result?: SectionResult; error?: string }[] = [];
  try {
    for (const section of sections) {
      if (section === 'gifs' && !hasGifs()) continue;
      log(`— ${section}`);
      try {
        results.push({ section, result: await SECTIONS[section](ctx) });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        log(`${section} failed: ${error}`);
        results.push({ section, error });
      }
    }
  } finally {
    await db.stop();
  }
  const minutes = (performance.now() - started) / 60_000;
  const report = render(results, host, quick, minutes);
  log(`\n${report}`);
  if (full) {
    const file = path.join(ROOT, 'bench', 'RESULTS.md');
    await writeFile(file, report);
    // Kept as `npm run lint` wants it (aligned tables).
    await run(['npx', 'prettier', '--write', file]);
  }
  if (results.some((r) => r.error)) process.exitCode = 1;
}

function render(
  results: { section: Section; result?: SectionResult; error?: string }[],
  host: Machine,
  quick: boolean,
  minutes: number,
): string {
  const done = results.flatMap((r) => (r.result ? [r.result] : []));
  const goals = done.flatMap((r) => r.goals);
  const missed = goals.filter((g) => met(g) === false).length;
  const lines = [
    '# Benchmark results',
    '',
    `Latest ${quick ? 'quick ' : ''}run of \`npm run bench${quick ? ' -- --quick' : ''}\`: ${host.date}, ${minutes.toFixed(1)} minutes.`,
    `Machine: ${host.cpu}, ${host.cores} cores, ${host.memory} memory, Node ${host.node}; load average before the run (1 / 5 / 15 min): ${host.load}.`,
    'Every server ran in its own child process, started afresh for each measurement, all on one FerretDB (the embedded launcher, over SQLite).',
    '',
    '## Goals, as ratios',
    '',
    goalsTable(goals),
    '',
    `${goals.length - missed} of ${goals.length} goals met.`,
    '',
    '## Figures',
    '',
    figuresTable(done.flatMap((r) => r.figures)),
    '',
  ];
  for (const r of done) if (r.markdown) lines.push(r.markdown, '');
  for (const r of done) for (const note of r.notes ?? []) lines.push(`- ${note}`);
  for (const r of results) if (r.error) lines.push(`- **${r.section} failed**: ${r.error}`);
  return lines.join('\n').trimEnd() + '\n';
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
