// Peer of `spine bench mixed`: the platform's current Node stack with three pg-boss queues (realtime,
// interactive, background) and their workers, fed by one nats.js 2.29 JetStream pull consumer that sends one
// pg-boss job per event (up to 32 in flight, ack after the insert commits), the queue picked by event type.
// Workers as the spine's defaults: realtime 16, interactive 8, background 4 concurrent (batch 100, each job
// ~1 ms: MIXED_HANDLER_US). The same phases and keys as MixedBench:
//   warm-up   the event mix without the backlog (unmeasured)
//   idle      realtime probe (100/s) + interactive (MIXED_IA_RATE, 200/s), background idle: the floor
//   alone     MIXED_N background jobs inserted (boss.insert, batches of 1000) drain alone for MIXED_ALONE_S
//   mix       the backlog + MIXED_BG_RATE (2000/s) background events + interactive + probe for MIXED_S
//   after     background events stop; the consumer's pending count is awaited to zero (lag_to_zero_s)
// Latency: publish -> handler start, per tier (re_, in_, ba_ prefixes), p50/p99/p999 per phase.
// Stream PEER_NODESTACK_MIXED and schema peer_nodestack_mixed, deleted before and after.
// Env: MIXED_N (1000000), MIXED_BG_RATE, MIXED_IA_RATE, MIXED_HANDLER_US (1000), MIXED_WARMUP_S (15),
// MIXED_IDLE_S (20), MIXED_ALONE_S (10), MIXED_S (30), PG_URL, NATS_URL. Prints one JSON line on stdout.
import pg from 'pg';
import { PG_URL, setUp } from './node-stack-common.mjs';

const env = (k, d) => +(process.env[k] || d);
const BACKLOG = env('MIXED_N', 1000000), BG_RATE = env('MIXED_BG_RATE', 2000), IA_RATE = env('MIXED_IA_RATE', 200);
const HANDLER_US = env('MIXED_HANDLER_US', 1000), WARM_S = env('MIXED_WARMUP_S', 15), IDLE_S = env('MIXED_IDLE_S', 20);
const ALONE_S = env('MIXED_ALONE_S', 10), MIX_S = env('MIXED_S', 30);
// batch (default): the stronger variant of the stack (node-stack-batch); send: one boss.send per event, which
// ingests about 1,000 events/s on the reference machine, below the 2,300/s of this workload
const MODE = process.env.MODE === 'send' ? 'send' : 'batch';
const SCHEMA = 'peer_nodestack_mixed', STREAM = 'PEER_NODESTACK_MIXED', SUBJECT = 'peernodestackmixed';
const now = () => performance.timeOrigin + performance.now();
const sleep = ms => new Promise(r => setTimeout(r, ms));
const log = m => console.error('[node-stack-mixed] ' + m);
const { jsm, js, sc, boss, dropSchema } = await setUp({ schema: SCHEMA, stream: STREAM, subject: SUBJECT, max: 24 });
const TIERS = { realtime: 16, interactive: 8, background: 4 };
for (const q of Object.keys(TIERS)) await boss.createQueue(q, { notify: true });
const QUEUE_OF = { 'communication.MessageReceived': 'realtime', 'ai.QueryReceived': 'interactive', 'connector.DataReceived': 'background' };

const PHASES = ['warmup', 'idle', 'alone', 'mix', 'after'];
let phase = 0; const samples = { realtime: [], interactive: [], background: [] };
let backlogRan = 0, bgRan = 0, allRan = 0;
const handlerSleep = () => new Promise(r => setTimeout(r, HANDLER_US / 1000));
const work = q => boss.work(q, { batchSize: q === 'background' ? 100 : 10, localConcurrency: TIERS[q],
  burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }, async jobs => {
  for (const j of jobs) {
    if (j.data.t) samples[q].push([now() - j.data.t, phase]); else backlogRan++;
    if (q === 'background') { await handlerSleep(); bgRan++; }
    allRan++;
  }
});
for (const q of Object.keys(TIERS)) await work(q);

const consumer = await js.consumers.get(STREAM, 'jobsvc');
(async () => { // the job service, as node-stack-bench.mjs runs it (MODE)
  const msgs = await consumer.consume({ max_messages: 1000 }); let inflight = 0; const waiters = [];
  const release = () => { inflight--; const w = waiters.shift(); if (w) w(); };
  const jobOf = m => { const e = JSON.parse(sc.decode(m.data)); return [QUEUE_OF[e.eventType], { data: { eventId: e.eventId, t: e.t }, singletonKey: e.eventId }]; };
  if (MODE === 'send') { // one pg-boss send per event, 32 in flight, ack after commit
    for await (const m of msgs) {
      while (inflight >= 32) await new Promise(r => waiters.push(r));
      inflight++; const [q, job] = jobOf(m);
      boss.send(q, job.data, { singletonKey: job.singletonKey }).then(() => m.ack(), () => m.nak(1000)).finally(release);
    }
  } else { // micro-batches of up to 100 events (1 ms linger): one boss.insert per queue, then ack
    let buf = [], timer = null;
    const flush = async () => {
      clearTimeout(timer); timer = null; if (!buf.length) return; const batch = buf; buf = [];
      while (inflight >= 4) await new Promise(r => waiters.push(r)); inflight++;
      try {
        const byQueue = {}; for (const m of batch) { const [q, job] = jobOf(m); (byQueue[q] ||= []).push(job); }
        await Promise.all(Object.entries(byQueue).map(([q, jobs]) => boss.insert(q, jobs)));
        for (const m of batch) m.ack();
      } catch (e) { // as a service would: the events come back (singletonKey keeps one job each)
        log('insert failed, redelivering ' + batch.length + ': ' + e.message); for (const m of batch) m.nak(1000);
      } finally { release(); }
    };
    for await (const m of msgs) { buf.push(m); if (buf.length >= 100) await flush(); else if (!timer) timer = setTimeout(flush, 1); }
  }
})();

let seq = 0;
const rate = (type, perSecond) => { // fixed rate: every 10 ms the events due since the start
  const start = now(); let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor((now() - start) * perSecond / 1000);
    for (; sent < due; sent++) {
      const id = 'm' + seq++;
      js.publish(SUBJECT + '.' + type, sc.encode(JSON.stringify({ eventId: id, eventType: type, t: now() })), { msgID: id })
        .catch(e => log('publish failed: ' + e.message));
    }
  }, 10);
  return { stop: () => clearInterval(timer) };
};
const pendingNow = async () => { const ci = await jsm.consumers.info(STREAM, 'jobsvc'); return ci.num_pending + ci.num_ack_pending; };
const pendingSeries = []; let sampling = true;
(async () => { while (sampling) { try { pendingSeries.push([await pendingNow(), phase]); } catch { /* next */ } await sleep(100); } })();
const awaitZero = async (since, timeoutMs, steady) => { // until at most `steady` events are pending
  while (now() - since < timeoutMs) { const at = now(); try { if (await pendingNow() <= steady) return Math.round(at - since) / 1000; } catch { /* again */ } await sleep(20); }
  return -1;
};
const countQueue = async q => { const c = new pg.Client({ connectionString: PG_URL }); await c.connect();
  const r = await c.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.job WHERE name = $1 AND state < 'completed'`, [q]); await c.end(); return r.rows[0].n; };

log(`warm-up ${WARM_S} s`);
let probe = rate('communication.MessageReceived', 100), ia = rate('ai.QueryReceived', IA_RATE), bg = rate('connector.DataReceived', BG_RATE);
await sleep(WARM_S * 1000); bg.stop(); probe.stop(); ia.stop();
const warmLag = await awaitZero(now(), 120000, 0); // -1: the stack did not catch up with the warm-up in 2 minutes
for (let i = 0; i < 600 && await countQueue('background') > 0; i++) await sleep(100);
probe = rate('communication.MessageReceived', 100); ia = rate('ai.QueryReceived', IA_RATE);

log(`idle ${IDLE_S} s`); phase = 1; await sleep(IDLE_S * 1000);
probe.stop(); ia.stop();
log(`backlog: insert ${BACKLOG} background jobs (its worker off)`);
await boss.offWork('background');
let t0 = now();
for (let i = 0; i < BACKLOG; i += 1000) {
  const batch = []; for (let j = i; j < i + 1000 && j < BACKLOG; j++) batch.push({ data: { i: j } });
  await boss.insert('background', batch);
}
const insertPerS = BACKLOG / (now() - t0) * 1000;
log(`alone ${ALONE_S} s`); phase = 2;
let b0 = backlogRan; t0 = now(); await work('background');
await sleep(ALONE_S * 1000); const aloneDrain = (backlogRan - b0) / (now() - t0) * 1000;

log(`mix ${MIX_S} s`); phase = 3;
const bg0 = bgRan, bl0 = backlogRan; t0 = now();
const cpu0 = process.cpuUsage(), ran0 = allRan;
probe = rate('communication.MessageReceived', 100); ia = rate('ai.QueryReceived', IA_RATE); bg = rate('connector.DataReceived', BG_RATE);
await sleep(MIX_S * 1000); bg.stop();
const mixMs = now() - t0; const mixDrain = (bgRan - bg0) / mixMs * 1000, mixBacklogDrain = (backlogRan - bl0) / mixMs * 1000;
const cpu = process.cpuUsage(cpu0); const cpuPerJob = (cpu.user + cpu.system) / Math.max(1, allRan - ran0);
const exhausted = backlogRan >= BACKLOG;
log('after: waiting for the consumer pending count to reach zero'); phase = 4;
const lagToZero = await awaitZero(now(), 120000, Math.floor((100 + IA_RATE) / 10)); // 100 ms of the ongoing traffic
await sleep(2000); probe.stop(); ia.stop(); sampling = false;

const out = { peer: 'nats.js 2.29.3 + pg-boss 12.38.0 (three queues, ' + (MODE === 'batch' ? 'micro-batched' : 'send per event') + ')', mode: MODE, warmup_lag_to_zero_s: warmLag, backlog: BACKLOG, bg_rate: BG_RATE, ia_rate: IA_RATE,
  rt_rate: 100, handler_us: HANDLER_US, mix_s: MIX_S };
const put = (key, p, tier) => {
  const l = samples[tier].filter(s => s[1] === p).map(s => s[0]).sort((a, b) => a - b);
  const pct = q => l.length ? Math.round(l[Math.min(l.length - 1, Math.floor(q * l.length))] * 100) / 100 : null;
  out[key + '_n'] = l.length; out[key + '_p50_ms'] = pct(0.5); out[key + '_p99_ms'] = pct(0.99); out[key + '_p999_ms'] = pct(0.999); out[key + '_max_ms'] = pct(1);
};
for (const tier of Object.keys(samples)) { const k = tier.slice(0, 2); put(k + '_idle', 1, tier); put(k + '_mix', 3, tier); }
put('re_after', 4, 'realtime');
Object.assign(out, { backlog_insert_per_s: Math.round(insertPerS), bg_drain_alone_per_s: Math.round(aloneDrain),
  bg_drain_mix_per_s: Math.round(mixDrain), bg_backlog_drain_mix_per_s: Math.round(mixBacklogDrain),
  bg_drain_ratio: Math.round(100 * mixDrain / aloneDrain) / 100, backlog_exhausted: exhausted,
  pending_max_mix: Math.max(0, ...pendingSeries.filter(s => s[1] === 3).map(s => s[0])), lag_to_zero_s: lagToZero,
  cpu_us_per_job_node: Math.round(cpuPerJob * 10) / 10 });
console.log(JSON.stringify(out));
await boss.stop({ graceful: false, wait: false });
await dropSchema();
try { await jsm.streams.delete(STREAM); } catch { /* already gone */ }
process.exit(0);
