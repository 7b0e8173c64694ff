// Peer: the platform's current stack in Node — a nats.js 2.29 JetStream pull consumer that turns each event
// into a pg-boss 12.38 job, and pg-boss workers that run the jobs. MODE picks how events become jobs:
//   MODE=send (default)  one boss.send per event, up to 32 in flight, ack after each insert commits
//   MODE=batch           micro-batches of up to 100 events (1 ms linger) -> one boss.insert, then ack
// Measures, with the keys spine-bench's SpineBench prints:
//   publish_per_s        N events published (async, up to 1000 in flight)
//   event_to_done_per_s  N from the first publish to the last job done (no-op handler, batch 100, 4 workers)
//   lat_*_ms             publish -> handler latency of LAT_N events published at 100/s
// Stream PEER_NODESTACK_<MODE> and schema peer_nodestack_<mode>, deleted before and after.
// Env: N (default 20000), LAT_N (300), PG_URL (postgres://...), NATS_URL. Prints one JSON line on stdout.
import { setUp } from './node-stack-common.mjs';

const N = +(process.env.N || 20000), LAT_N = +(process.env.LAT_N || 300);
const MODE = process.env.MODE === 'batch' ? 'batch' : 'send';
const SCHEMA = 'peer_nodestack_' + MODE, STREAM = 'PEER_NODESTACK_' + MODE.toUpperCase();
const SUBJECT = 'peernodestack' + MODE;
const hr = () => Number(process.hrtime.bigint()) / 1e6;
const { jsm, js, sc, boss, dropSchema } = await setUp({ schema: SCHEMA, stream: STREAM, subject: SUBJECT, max: 10 });
const q = 'events'; await boss.createQueue(q, { notify: true });

let done = 0, target = N, resolve; let finished = new Promise(r => resolve = r); const lats = []; let latMode = false;
await boss.work(q, { batchSize: 100, localConcurrency: 4, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }, async jobs => {
  for (const j of jobs) { if (latMode) lats.push(Date.now() - j.data.t); }
  done += jobs.length; if (done >= target) resolve();
});

const consumer = await js.consumers.get(STREAM, 'jobsvc');
const jobOf = m => { const e = JSON.parse(sc.decode(m.data)); return { data: { eventId: e.eventId, t: e.t }, singletonKey: e.eventId }; };
(async () => { // the job service
  const msgs = await consumer.consume({ max_messages: 1000 }); let inflight = 0; const waiters = [];
  const release = () => { inflight--; const w = waiters.shift(); if (w) w(); };
  if (MODE === 'send') {
    for await (const m of msgs) {
      while (inflight >= 32) await new Promise(r => waiters.push(r));
      inflight++; const job = jobOf(m);
      boss.send(q, job.data, { singletonKey: job.singletonKey }).then(() => m.ack()).finally(release);
    }
  } else {
    let buf = [], timer = null;
    const flush = async () => {
      clearTimeout(timer); timer = null; if (!buf.length) return; const batch = buf; buf = [];
      while (inflight >= 4) await new Promise(r => waiters.push(r)); inflight++;
      try { await boss.insert(q, batch.map(jobOf)); for (const m of batch) m.ack(); } finally { release(); }
    };
    for await (const m of msgs) { buf.push(m); if (buf.length >= 100) await flush(); else if (!timer) timer = setTimeout(flush, 1); }
  }
})();

const publish = (id, body) => js.publish(SUBJECT + '.data.EntityCreated', sc.encode(JSON.stringify(body)), { msgID: id });
let t0 = hr(); const pubs = [];
for (let i = 0; i < N; i++) {
  const id = 'e' + i; pubs.push(publish(id, { eventId: id, eventType: 'data.EntityCreated', t: Date.now(), data: { i } }));
  if (pubs.length >= 1000) { await Promise.all(pubs); pubs.length = 0; }
}
await Promise.all(pubs); const pubMs = hr() - t0;
await finished; const e2eMs = hr() - t0;

latMode = true; done = 0; target = LAT_N; finished = new Promise(r => resolve = r);
for (let i = 0; i < LAT_N; i++) { const id = 'l' + i; await publish(id, { eventId: id, t: Date.now() }); await new Promise(r => setTimeout(r, 10)); }
await Promise.race([finished, new Promise(r => setTimeout(r, 30000))]);
lats.sort((a, b) => a - b); const pct = p => lats[Math.min(lats.length - 1, Math.floor(p * lats.length))];
console.log(JSON.stringify({ peer: 'nats.js 2.29.3 + pg-boss 12.38.0' + (MODE === 'batch' ? ' (micro-batched)' : ' (send per event)'),
  mode: MODE, N, publish_per_s: Math.round(N / pubMs * 1000), event_to_done_per_s: Math.round(N / e2eMs * 1000),
  lat_n: lats.length, lat_p50_ms: pct(0.5), lat_p99_ms: pct(0.99), lat_max_ms: lats[lats.length - 1] }));
await boss.stop({ graceful: false, wait: false });
await dropSchema();
try { await jsm.streams.delete(STREAM); } catch { /* already gone */ }
process.exit(0);
