/* GIF rows come from bench/gifs.ts when it exists (another part of the bench writes them): it is
 * run as a child process and its markdown table is included as it is. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, run, tsNode } from '../support/process';
import type { Context, SectionResult } from '../support/report';

export const GIFS = 'bench/gifs.ts';

export const hasGifs = () => existsSync(path.join(ROOT, GIFS));

export async function gifs(ctx: Context): Promise<SectionResult> {
  const out = await run([...tsNode(GIFS), ...(ctx.quick ? ['--quick'] : [])], {
    BENCH_MONGO_URL: ctx.db.urlOf('bench_gifs'),
  });
  await ctx.db.drop('bench_gifs');
  return { figures: [], goals: [], markdown: out.trim() };
}
