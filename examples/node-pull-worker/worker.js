'use strict';
// A pull worker for the spine's job queue, in plain Node (18+, built-ins only): it registers its job types,
// long-polls for their jobs, runs one handler per type, heartbeats while it lives, and completes or fails each
// job. Retries, backoff, timeouts and dead letters stay the queue's: a thrown error fails the attempt.
//
//   SPINE_URL=http://127.0.0.1:8080 SPINE_ADMIN_TOKEN=dev-admin node worker.js
//
// Use it as a module too: const { PullWorker } = require('./worker.js').

const os = require('node:os');

/** Throw from a handler to fail the attempt and ask for the retry after retryDelayMs instead of the backoff. */
class RetryLater extends Error {
  constructor(message, retryDelayMs) {
    super(message);
    this.retryDelayMs = retryDelayMs;
  }
}

class PullWorker {
  /**
   * @param {object} o
   * @param {string} o.url          the spine server's admin API, e.g. http://127.0.0.1:8080
   * @param {string} o.token        the admin token (SPINE_ADMIN_TOKEN)
   * @param {string[]} o.queues     queues to work, in order
   * @param {Object<string, function({job, signal}): Promise<void>>} o.handlers  job type -> async handler
   * @param {number} [o.concurrency=2]  jobs run at once
   * @param {number} [o.waitMs=15000]   how long one fetch waits for a job (long-poll, at most 20000)
   * @param {number} [o.heartbeatMs]    default: a third of the server's staleAfterMs
   * @param {function(string)} [o.log]
   */
  constructor(o) {
    this.url = o.url.replace(/\/$/, '');
    this.token = o.token;
    this.queues = o.queues;
    this.handlers = o.handlers;
    this.concurrency = o.concurrency || 2;
    this.waitMs = o.waitMs === undefined ? 15000 : o.waitMs;
    this.heartbeatMs = o.heartbeatMs;
    this.log = o.log || ((line) => console.log(line));
    this.name = o.name || `node-pull-worker@${os.hostname()}:${process.pid}`;
    this.running = new Set();
    this.stopping = false;
  }

  async call(method, path, body) {
    const res = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const err = new Error(`${method} ${path}: ${res.status} ${json.errorCode || ''} ${json.message || text}`);
      err.status = res.status;
      err.code = json.errorCode;
      throw err;
    }
    return json;
  }

  /** Registers, then fetches and runs jobs until stop(). */
  async start() {
    const reg = await this.call('POST', '/v1/workers', {
      name: this.name, queues: this.queues, types: Object.keys(this.handlers), concurrency: this.concurrency,
    });
    this.id = reg.id;
    const every = this.heartbeatMs || Math.max(100, Math.floor(reg.staleAfterMs / 3));
    // the heartbeat keeps this worker and the jobs it holds from being rescued, idle or busy
    this.heartbeat = setInterval(() => {
      this.call('POST', `/v1/workers/${this.id}/heartbeat`).catch((e) => this.log(`heartbeat failed: ${e.message}`));
    }, every);
    this.log(`registered ${this.id} for ${Object.keys(this.handlers).join(',')} on ${this.queues.join(',')}`);
    this.loop = this.fetchLoop();
    return this;
  }

  async fetchLoop() {
    while (!this.stopping) {
      const free = this.concurrency - this.running.size;
      if (free <= 0) {
        await Promise.race(this.running); // room comes when a job ends
        continue;
      }
      let jobs;
      try {
        jobs = (await this.call('POST', `/v1/workers/${this.id}/fetch`, { max: free, waitMs: this.waitMs })).items;
      } catch (e) {
        this.log(`fetch failed: ${e.message}; again in 1 s`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      for (const job of jobs) {
        const run = this.run(job).finally(() => this.running.delete(run));
        this.running.add(run);
      }
    }
  }

  async run(job) {
    const handler = this.handlers[job.type];
    this.log(`started ${job.type} ${job.id} attempt ${job.attempt}/${job.maxAttempts}`);
    // aborted when the attempt's time is up: the server fails it as timed out whatever the handler does
    const signal = AbortSignal.timeout(Math.max(1, Date.parse(job.deadline) - Date.now()));
    try {
      await handler({ job, signal });
    } catch (e) {
      const body = { workerId: this.id, attempt: job.attempt, error: String(e && e.message ? e.message : e) };
      if (e instanceof RetryLater && e.retryDelayMs !== undefined) {
        body.retryDelayMs = e.retryDelayMs;
      }
      await this.end(job, 'fail', body, `failed ${job.type} ${job.id} attempt ${job.attempt}: ${body.error}`);
      return;
    }
    await this.end(job, 'complete', { workerId: this.id, attempt: job.attempt }, `completed ${job.type} ${job.id} attempt ${job.attempt}`);
  }

  async end(job, how, body, line) {
    try {
      await this.call('POST', `/v1/jobs/${job.id}/${how}`, body);
      this.log(line);
    } catch (e) {
      // 409 NOT_HELD: the attempt already ended (timed out, or rescued); the queue decided, nothing to do here
      this.log(e.status === 409 ? `lost ${job.type} ${job.id} attempt ${job.attempt}: ${e.code}` : `${how} failed: ${e.message}`);
    }
  }

  /** Stops fetching, lets running jobs end, and unregisters. */
  async stop() {
    this.stopping = true;
    await Promise.allSettled(this.running);
    clearInterval(this.heartbeat);
    if (this.id) {
      await this.call('DELETE', `/v1/workers/${this.id}`).catch((e) => this.log(`unregister failed: ${e.message}`));
    }
    this.log('stopped');
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The example's handlers: one per job type. */
const exampleHandlers = {
  // the platform's default route: connector.DataReceived events become these jobs
  ProcessIncomingDataJob: async ({ job }) => {
    console.log(`processing incoming data ${JSON.stringify(job.payload)}`);
  },
  // completes at once
  'example.Echo': async ({ job }) => {
    console.log(`echo ${JSON.stringify(job.payload)}`);
  },
  // fails its first payload.failTimes attempts, then completes (payload.retryDelayMs: ask for that retry delay)
  'example.Flaky': async ({ job }) => {
    if (job.attempt <= (job.payload.failTimes || 0)) {
      throw new RetryLater(`flaky failure on attempt ${job.attempt}`, job.payload.retryDelayMs);
    }
  },
  // takes payload.ms (a number, or one per attempt: [60000, 10]) and completes
  'example.Sleep': async ({ job }) => {
    const ms = Array.isArray(job.payload.ms) ? job.payload.ms[Math.min(job.attempt, job.payload.ms.length) - 1] : job.payload.ms;
    await sleep(ms || 0);
  },
};

module.exports = { PullWorker, RetryLater, exampleHandlers };

if (require.main === module) {
  const worker = new PullWorker({
    url: process.env.SPINE_URL || 'http://127.0.0.1:8080',
    token: process.env.SPINE_ADMIN_TOKEN || '',
    queues: (process.env.SPINE_QUEUES || 'background').split(','),
    concurrency: Number(process.env.SPINE_CONCURRENCY || 2),
    waitMs: process.env.SPINE_WAIT_MS === undefined ? undefined : Number(process.env.SPINE_WAIT_MS),
    heartbeatMs: process.env.SPINE_HEARTBEAT_MS === undefined ? undefined : Number(process.env.SPINE_HEARTBEAT_MS),
    handlers: exampleHandlers,
  });
  worker.start().catch((e) => {
    console.error(`could not start: ${e.message}`);
    process.exit(1);
  });
  const shutdown = () => worker.stop().then(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
