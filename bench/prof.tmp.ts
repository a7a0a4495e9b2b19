import { startDatabase } from './support/db';
import { run, ROOT } from './support/process';
import { seedRooms } from './support/seed';
import { start } from './support/servers';
async function main() {
  const db = await startDatabase();
  await seedRooms(db.db('lp'), 200);
  const kind = (process.argv[2] ?? 'prod') as 'prod';
  const server = await start(kind, db.urlOf('lp'), { SEAT_TTL_MS: '86400000' });
  await run([process.execPath, ROOT + '/node_modules/autocannon/autocannon.js', '-c', '50', '-d', '2', '-j', '-H', 'accept-encoding=gzip, deflate, br', server.url + '/']);
  const out = await run([process.execPath, ROOT + '/node_modules/autocannon/autocannon.js', '-c', '50', '-d', '6', '-j', '-H', 'accept-encoding=gzip, deflate, br', server.url + '/']);
  console.log(JSON.parse(out).requests.average);
  await server.stop(); await db.stop();
}
void main();
