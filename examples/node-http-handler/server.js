// A job handler in Node.js for the spine's HTTP push handlers (SPINE_PUSH_HANDLERS): the job service POSTs
// each job of a configured type here, signed like the spine's webhooks. Node built-ins only (no npm install).
//
//   SPINE_PUSH_SECRET=... PORT=3000 node server.js
//
// Answers: 2xx completes the job; any other status fails the attempt (the queue retries with backoff, then
// dead-letters); 503 with Retry-After snoozes the job without using an attempt. A request whose signature is
// missing, forged or older than five minutes gets 401 and runs nothing.
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');

const SECRET = process.env.SPINE_PUSH_SECRET;
const PORT = Number(process.env.PORT ?? 3000);
const HOST = process.env.HOST ?? '127.0.0.1';
const TOLERANCE_SECONDS = 5 * 60; // as the spine's WebhookSignature.DEFAULT_TOLERANCE
const MAX_BODY_BYTES = 1024 * 1024;

if (!SECRET) {
  console.error('SPINE_PUSH_SECRET is required: the same secret as the job service\'s');
  process.exit(2);
}

/** Thrown by a handler for "not now": the job is snoozed for `seconds`, no attempt used. */
class RetryLater extends Error {
  constructor(seconds, reason) {
    super(reason);
    this.seconds = seconds;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const snoozedOnce = new Set();

// One handler per job type: return to complete the job, throw to fail the attempt, throw RetryLater to snooze.
// A job can run more than once (a retry after a timeout whose work was done): make handlers idempotent, keyed
// by job.id.
const handlers = {
  // the platform's default route: rule.SendMessageRequested events become SendOutgoingMessageJob jobs whose
  // payload is the event's envelope
  async SendOutgoingMessageJob(job) {
    const { data, correlationId } = job.payload;
    console.log(`sending message to ${data?.to}: ${data?.text} (correlation ${correlationId})`);
  },

  // What a handler can do, driven by its payload (the spine's tests use it):
  //   failUntilAttempt: n  fail every attempt before the n-th
  //   holdMs: ms           answer only after ms (holdAttempts: on the first that many attempts, default 1)
  //   retryAfterSeconds: s answer 503 Retry-After s the first time this job comes
  async DemoJob(job) {
    const p = job.payload ?? {};
    if (p.holdMs && job.attempt <= (p.holdAttempts ?? 1)) {
      await sleep(p.holdMs);
    }
    if (p.retryAfterSeconds !== undefined && !snoozedOnce.has(job.id)) {
      snoozedOnce.add(job.id);
      throw new RetryLater(p.retryAfterSeconds, 'asked to come back later');
    }
    if (p.failUntilAttempt && job.attempt < p.failUntilAttempt) {
      throw new Error(`attempt ${job.attempt} fails on purpose`);
    }
  },
};

/** Whether `header` (t=<unix seconds>,v1=<hex>) is HMAC-SHA256(secret, "<t>." + body), made recently. */
function verify(header, body) {
  if (!header) {
    return 'missing Spine-Signature header';
  }
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) {
    return 'malformed Spine-Signature header';
  }
  if (Math.abs(Date.now() / 1000 - t) > TOLERANCE_SECONDS) {
    return 'signature too old';
  }
  const expected = crypto.createHmac('sha256', SECRET).update(`${t}.`).update(body).digest();
  return crypto.timingSafeEqual(expected, Buffer.from(parts.v1, 'hex')) ? null : 'signature does not match';
}

function reply(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function run(req, res, body) {
  const refused = verify(req.headers['spine-signature'], body);
  if (refused) {
    console.log(`refused: ${refused}`);
    return reply(res, 401, { error: refused });
  }
  let job;
  try {
    job = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return reply(res, 400, { error: 'body is not JSON' });
  }
  const handler = handlers[job.type];
  if (!handler) {
    // fails the attempt: the job service should not push a type this receiver has no handler for
    return reply(res, 422, { error: `no handler for job type ${job.type}` });
  }
  const started = Date.now();
  try {
    await handler(job);
    console.log(`job ${job.id} ${job.type} attempt ${job.attempt}: completed in ${Date.now() - started} ms `
      + `(traceparent ${req.headers.traceparent ?? 'none'})`);
    reply(res, 200, { ok: true });
  } catch (e) {
    if (e instanceof RetryLater) {
      console.log(`job ${job.id} ${job.type} attempt ${job.attempt}: retry after ${e.seconds} s`);
      return reply(res, 503, { error: e.message }, { 'Retry-After': String(e.seconds) });
    }
    console.log(`job ${job.id} ${job.type} attempt ${job.attempt}: failed: ${e.message}`);
    reply(res, 500, { error: e.message });
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    return reply(res, 200, { ok: true });
  }
  if (req.method !== 'POST') {
    return reply(res, 405, { error: 'POST a job' });
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      reply(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (!res.headersSent) {
      run(req, res, Buffer.concat(chunks)).catch((e) => {
        console.error(e);
        if (!res.headersSent) {
          reply(res, 500, { error: 'receiver error' });
        }
      });
    }
  });
});

server.listen(PORT, HOST, () => {
  const { address, port } = server.address();
  console.log(`spine push handler listening on http://${address}:${port}/ (job types: ${Object.keys(handlers).join(', ')})`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // a held request must not keep the process alive
  });
}
