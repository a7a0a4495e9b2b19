// Preloaded (node -r) into every server the bench measures: on SIGUSR2 it collects garbage and
// writes the process's resident memory to BENCH_PROBE_FILE, so memory is compared after GC.
const { writeFileSync } = require('node:fs');

process.on('SIGUSR2', () => {
  if (global.gc) for (let i = 0; i < 3; i++) global.gc();
  const { rss, heapUsed } = process.memoryUsage();
  writeFileSync(process.env.BENCH_PROBE_FILE, JSON.stringify({ rss, heapUsed }));
});
