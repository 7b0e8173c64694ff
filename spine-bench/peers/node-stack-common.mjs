// What the node-stack peers share: the NATS stream and durable of the "job service", a fresh pg-boss schema.
import { connect, AckPolicy, StringCodec } from 'nats';
import { PgBoss } from 'pg-boss';
import pg from 'pg';

export const PG_URL = process.env.PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

// Stream STREAM on SUBJECT.> with the durable 'jobsvc' and pg-boss on SCHEMA (max connections), both made
// fresh; dropSchema() removes the schema again when the peer is done.
export async function setUp({ schema, stream, subject, max }) {
  const dropSchema = async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect(); await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`); await c.end();
  };
  const nc = await connect({ servers: (process.env.NATS_URL || '127.0.0.1:4222').split(',').map(s => s.replace(/^nats:\/\//, '')) });
  const jsm = await nc.jetstreamManager(); const js = nc.jetstream(); const sc = StringCodec();
  try { await jsm.streams.delete(stream); } catch { /* not there yet */ }
  await jsm.streams.add({ name: stream, subjects: [subject + '.>'] });
  await jsm.consumers.add(stream, { durable_name: 'jobsvc', ack_policy: AckPolicy.Explicit, max_ack_pending: 10000 });
  await dropSchema();
  const boss = new PgBoss({ connectionString: PG_URL, schema, useListenNotify: true, max });
  boss.on('error', e => console.error('pg-boss error', e.message));
  await boss.start();
  return { nc, jsm, js, sc, boss, dropSchema };
}
