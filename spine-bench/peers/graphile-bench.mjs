// Peer: graphile-worker 0.18 on the local PostgreSQL (schema peer_graphile, dropped before and after).
// Measures, with the keys spine-bench's JobsBench prints:
//   insert_per_s  N jobs added in batches of 1000 (addJobs)
//   send_per_s    min(N, 10000) single addJob calls, 16 in flight
//   drain_per_s   all of those (N + singles) run by no-op tasks (concurrency 8, 0.5 s poll; it listens too)
//   lat_*_ms      addJob -> task latency of LAT_N jobs added at 100/s
// Env: N (default 50000), LAT_N (500), PG_URL (postgres://...). Prints one JSON line on stdout.
import { run, makeWorkerUtils } from 'graphile-worker';
import pg from 'pg';

const N = +(process.env.N || 50000);
const LAT_N = +(process.env.LAT_N || 500);
const PG_URL = process.env.PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'peer_graphile';
const hr = () => Number(process.hrtime.bigint()) / 1e6;
const dropSchema = async () => {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect(); await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`); await c.end();
};

await dropSchema();
const utils = await makeWorkerUtils({ connectionString: PG_URL, schema: SCHEMA });
await utils.migrate();

let t0 = hr();
for (let i = 0; i < N; i += 1000) {
  const specs = []; for (let j = 0; j < 1000 && i + j < N; j++) specs.push({ identifier: 'bulk', payload: { i: i + j } });
  await utils.addJobs(specs);
}
const insertMs = hr() - t0;

const SN = Math.min(N, 10000); let next = 0; t0 = hr();
await Promise.all(Array.from({ length: 16 }, async () => { while (next < SN) { next++; await utils.addJob('single', { x: 1 }); } }));
const sendMs = hr() - t0;

let done = 0, resolveDrain; const drained = new Promise(r => resolveDrain = r);
const lats = []; let resolveLat; const latDone = new Promise(r => resolveLat = r);
t0 = hr();
const runner = await run({ connectionString: PG_URL, schema: SCHEMA, concurrency: 8, noHandleSignals: true, pollInterval: 500,
  taskList: {
    bulk: async () => { if (++done >= N + SN) resolveDrain(); },
    single: async () => { if (++done >= N + SN) resolveDrain(); },
    lat: async p => { lats.push(Date.now() - p.t); if (lats.length >= LAT_N) resolveLat(); },
  } });
await drained; const drainMs = hr() - t0;

for (let i = 0; i < LAT_N; i++) { await utils.addJob('lat', { t: Date.now() }); await new Promise(r => setTimeout(r, 10)); }
await Promise.race([latDone, new Promise(r => setTimeout(r, 30000))]);
lats.sort((a, b) => a - b);
const pct = p => lats[Math.min(lats.length - 1, Math.floor(p * lats.length))];
console.log(JSON.stringify({ peer: 'graphile-worker', version: '0.18.0', N,
  insert_per_s: Math.round(N / insertMs * 1000), send_per_s: Math.round(SN / sendMs * 1000),
  drain_per_s: Math.round((N + SN) / drainMs * 1000), lat_n: lats.length, lat_p50_ms: pct(0.5), lat_p99_ms: pct(0.99),
  lat_max_ms: lats[lats.length - 1] }));
await runner.stop(); await utils.release();
await dropSchema();
process.exit(0);
