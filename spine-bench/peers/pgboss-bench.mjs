// Peer: pg-boss 12.38 on the local PostgreSQL (schema peer_pgboss, dropped before and after).
// Measures, with the keys spine-bench's JobsBench prints:
//   insert_per_s  N jobs inserted in batches of 1000 (boss.insert)
//   send_per_s    min(N, 10000) single boss.send calls, 16 in flight
//   drain_per_s   the N batch-inserted jobs run by a no-op handler (batch 100, 4 local workers, 0.5 s poll)
//   lat_*_ms      send -> handler latency of LAT_N jobs sent at 100/s, LISTEN/NOTIFY on
// Env: N (default 50000), LAT_N (500), PG_URL (postgres://...). Prints one JSON line on stdout.
import { PgBoss } from 'pg-boss';
import pg from 'pg';

const N = +(process.env.N || 50000);
const LAT_N = +(process.env.LAT_N || 500);
const PG_URL = process.env.PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'peer_pgboss';
const hr = () => Number(process.hrtime.bigint()) / 1e6;
const dropSchema = async () => {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect(); await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`); await c.end();
};

await dropSchema();
const boss = new PgBoss({ connectionString: PG_URL, schema: SCHEMA, useListenNotify: true, max: 10 });
boss.on('error', e => console.error('pg-boss error', e.message));
await boss.start();
const q = 'bench';
await boss.createQueue(q, { notify: true });

let t0 = hr();
for (let i = 0; i < N; i += 1000) {
  const jobs = []; for (let j = 0; j < 1000 && i + j < N; j++) jobs.push({ data: { i: i + j } });
  await boss.insert(q, jobs);
}
const insertMs = hr() - t0;

const SN = Math.min(N, 10000); const q2 = q + '_s'; await boss.createQueue(q2);
let next = 0; t0 = hr();
await Promise.all(Array.from({ length: 16 }, async () => { while (next < SN) { next++; await boss.send(q2, { x: 1 }); } }));
const sendMs = hr() - t0;

let done = 0; t0 = hr();
await new Promise(async res => {
  await boss.work(q, { batchSize: 100, localConcurrency: 4, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
    async jobs => { done += jobs.length; if (done >= N) res(); });
});
const drainMs = hr() - t0;

const q3 = q + '_l'; await boss.createQueue(q3, { notify: true });
const lats = []; let resolveLat; const latDone = new Promise(r => resolveLat = r);
await boss.work(q3, { batchSize: 1, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 30 },
  async ([job]) => { lats.push(Date.now() - job.data.t); if (lats.length >= LAT_N) resolveLat(); });
for (let i = 0; i < LAT_N; i++) { await boss.send(q3, { t: Date.now() }); await new Promise(r => setTimeout(r, 10)); }
await Promise.race([latDone, new Promise(r => setTimeout(r, 30000))]);
lats.sort((a, b) => a - b);
const pct = p => lats[Math.min(lats.length - 1, Math.floor(p * lats.length))];
console.log(JSON.stringify({ peer: 'pg-boss', version: '12.38.0', N,
  insert_per_s: Math.round(N / insertMs * 1000), send_per_s: Math.round(SN / sendMs * 1000),
  drain_per_s: Math.round(N / drainMs * 1000), lat_n: lats.length, lat_p50_ms: pct(0.5), lat_p99_ms: pct(0.99),
  lat_max_ms: lats[lats.length - 1] }));
await boss.stop({ graceful: false, wait: false });
await dropSchema();
process.exit(0);
