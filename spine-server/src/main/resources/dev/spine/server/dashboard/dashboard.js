// The job service dashboard: reads the admin API's JSON every few seconds and renders it.
// Every value from the API reaches the page through textContent (el() below), never as HTML.
// The key (SPINE_READ_TOKEN, or SPINE_ADMIN_TOKEN to also retry) is typed by the operator, kept in
// sessionStorage (gone when the tab closes) and sent only in the Authorization header of the API's
// requests: never in the page, a URL or a log. The page and its files need no key; its data does.
'use strict';

const REFRESH_MS = 3000;
const TOKEN_KEY = 'spine.adminToken';
/** Job states that no longer change: a job shown in one of them is not fetched again on refresh. */
const FINAL_STATES = new Set(['completed', 'cancelled', 'dead']);
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
/** A rate over a shorter window than this would swing wildly on a single job. */
const MIN_RATE_WINDOW_MS = 2000;

let jaegerUrl = null;
let previousThroughput = null;
let lastRates = null;
let refreshing = false;

/** An element with text children; attrs go through setAttribute, children strings become text nodes. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function $(id) { return document.getElementById(id); }

function fill(tbodyId, rows, columns, emptyText) {
  const body = $(tbodyId);
  const next = rows.length > 0 ? rows : [el('tr', {}, el('td', { class: 'empty', colspan: columns }, emptyText))];
  const shown = [...body.children];
  if (shown.length === next.length) {
    // only rows that changed are replaced: a row rebuilt under the pointer every refresh lost the click of an
    // operator whose press and release straddled it
    next.forEach((row, i) => { if (row.outerHTML !== shown[i].outerHTML) shown[i].replaceWith(row); });
  } else {
    body.replaceChildren(...next);
  }
}

function say(text, isError) {
  const m = $('message');
  m.textContent = text;
  m.className = isError ? 'message error' : 'message';
  m.hidden = !text;
}

/** The Authorization header of the key kept for this tab, or none. */
function keyHeader() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: 'Bearer ' + token } : {};
}

async function getJson(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json', ...keyHeader() }, cache: 'no-store' });
  const body = await r.json().catch(() => null);
  if (r.status === 401) {
    // the server's message says when no key is configured at all; otherwise ask for one
    const configured = !/set SPINE_READ_TOKEN/.test(body?.message ?? '');
    say(configured ? 'Reading needs a key: enter SPINE_READ_TOKEN (or SPINE_ADMIN_TOKEN) at the top right.'
      : String(body.message), true);
  }
  return { status: r.status, body };
}

function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

/** A link-looking element that runs {@code action} on click or Enter (no href: nothing to navigate to). */
function actionLink(text, attrs, action) {
  const a = el('a', { class: 'job-link mono', tabindex: 0, role: 'button', ...attrs }, text);
  a.addEventListener('click', action);
  a.addEventListener('keydown', e => { if (e.key === 'Enter') action(); });
  return a;
}

function jobLink(id) {
  return actionLink(id, { 'data-job-id': id }, () => openJob(id));
}

function lastError(errors) {
  if (!Array.isArray(errors) || errors.length === 0) return '';
  const last = errors[errors.length - 1];
  return last && typeof last === 'object' ? String(last.error ?? '') : String(last);
}

// ---- queues and throughput

function emptyRates() {
  return { queues: {}, completed: null, failed: null };
}

function rates(now) {
  const prev = previousThroughput;
  const sameInstance = prev && prev.instance === now.instance && now.at > prev.at;
  if (sameInstance && now.at - prev.at < MIN_RATE_WINDOW_MS) {
    return lastRates ?? emptyRates(); // an extra reading (after a retry): keep the baseline, no noisy rate
  }
  previousThroughput = now;
  // counts are per process: readings from two instances (or across a restart) give no rate
  if (!sameInstance) {
    lastRates = null;
    return emptyRates();
  }
  const seconds = (now.at - prev.at) / 1000;
  const per = (a, b) => Math.max(0, (a - b) / seconds);
  const out = emptyRates();
  for (const [q, v] of Object.entries(now.queues || {})) {
    out.queues[q] = per(v.runs, prev.queues?.[q]?.runs ?? 0);
  }
  out.completed = per(now.completed, prev.completed);
  out.failed = per(now.failed, prev.failed);
  lastRates = out;
  return out;
}

async function refreshQueues() {
  const [queues, throughput] = await Promise.all([getJson('/v1/queues'), getJson('/v1/throughput')]);
  const r = throughput.status === 200 ? rates(throughput.body) : emptyRates();
  const rows = (queues.body?.items || []).map(q => el('tr', { 'data-queue': q.queue },
    el('td', {}, q.queue),
    el('td', { class: 'num' }, q.available),
    el('td', { class: 'num' }, q.scheduled),
    el('td', { class: 'num' }, q.running),
    el('td', { class: q.dead > 0 ? 'num bad' : 'num' }, q.dead),
    el('td', { class: 'num rate' }, r.queues[q.queue] === undefined ? '–' : r.queues[q.queue].toFixed(1)),
    el('td', { class: q.paused ? 'bad' : 'ok' }, q.paused ? 'paused' : 'running'),
    el('td', {}, adminButton(q.paused ? 'Resume' : 'Pause', { class: q.paused ? 'resume' : 'pause danger', 'data-queue': q.queue },
      '/v1/queues/' + encodeURIComponent(q.queue) + (q.paused ? '/resume' : '/pause'),
      q.paused ? `Queue ${q.queue} resumed.` : `Queue ${q.queue} paused: no instance starts its jobs until resumed.`))));
  fill('queues', rows, 8, 'no queues');
  $('totals').textContent = r.completed === null || r.completed === undefined ? 'rates appear after the next refresh'
    : `this instance: completed ${r.completed.toFixed(1)}/s · failed attempts ${r.failed.toFixed(1)}/s`
      + ' (runs/s: finished attempts per queue)';
}

// ---- charts: the server keeps the last hour (GET /v1/queues/history), the page draws it

const SVG = 'http://www.w3.org/2000/svg';
const CHART = { width: 560, height: 190, left: 44, right: 10, top: 10, bottom: 22 };
/** One colour per tier, the rest from the same list in turn. */
const COLOURS = { realtime: '#c62828', interactive: '#0b57d0', background: '#1a7f37' };
const SPARE_COLOURS = ['#9a6700', '#8250df', '#57606a', '#bf3989'];

function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function colourOf(queue, index) {
  return COLOURS[queue] ?? SPARE_COLOURS[index % SPARE_COLOURS.length];
}

function shortNumber(v) {
  if (v >= 1000) return (v / 1000).toFixed(v >= 10000 ? 0 : 1) + 'k';
  return v >= 10 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * Draws one line per queue into the SVG {@code id}: x is time over the history held (up to the hour), y from 0
 * to the largest value. A null (a reading that failed, or a queue not there yet) breaks the line there.
 */
function drawChart(id, at, series) {
  const c = CHART;
  const plotW = c.width - c.left - c.right;
  const plotH = c.height - c.top - c.bottom;
  const chart = $(id);
  const t0 = at[0];
  const t1 = at[at.length - 1];
  const max = Math.max(0, ...series.flatMap(s => s.values.filter(v => v !== null)));
  const top = max > 0 ? max * 1.1 : 1;
  const x = t => c.left + (t1 > t0 ? (t - t0) / (t1 - t0) * plotW : plotW);
  const y = v => c.top + plotH - v / top * plotH;
  const parts = [];
  for (const f of [0, 0.5, 1]) {
    const v = top * f;
    parts.push(svg('line', { class: 'grid', x1: c.left, x2: c.width - c.right, y1: y(v), y2: y(v) }),
      svg('text', { x: c.left - 4, y: y(v) + 3, 'text-anchor': 'end' }, shortNumber(v)));
  }
  if (at.length > 0) {
    parts.push(svg('text', { x: c.left, y: c.height - 6 }, clock(t0)),
      svg('text', { x: c.width - c.right, y: c.height - 6, 'text-anchor': 'end' }, clock(t1)));
  }
  for (const s of series) {
    // one polyline per unbroken run of readings
    let run = [];
    const runs = [];
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) {
        if (run.length) runs.push(run);
        run = [];
      } else {
        run.push([x(at[i]), y(v)]);
      }
    });
    if (run.length) runs.push(run);
    const points = runs.reduce((n, r) => n + r.length, 0);
    for (const r of runs) {
      // a lone reading is still drawn: a dot-sized segment
      const pts = r.length === 1 ? [r[0], [r[0][0] + 1.5, r[0][1]]] : r;
      parts.push(svg('polyline', { 'data-queue': s.name, 'data-points': points, fill: 'none', stroke: s.colour,
        'stroke-width': 1.6, 'stroke-linejoin': 'round', points: pts.map(p => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' ') }));
    }
  }
  if (at.length === 0) {
    parts.push(svg('text', { x: c.left + plotW / 2, y: c.top + plotH / 2, 'text-anchor': 'middle' }, 'no readings yet'));
  }
  chart.replaceChildren(...parts);
  chart.dataset.readings = at.length;
}

async function refreshHistory() {
  const h = await getJson('/v1/queues/history');
  if (h.status !== 200 || !h.body) return;
  const at = h.body.at || [];
  const queues = Object.entries(h.body.queues || {});
  const depth = queues.map(([q, v], i) => ({ name: q, colour: colourOf(q, i), values: v.depth || [] }));
  const throughput = queues.map(([q, v], i) => ({ name: q, colour: colourOf(q, i), values: v.runsPerSecond || [] }));
  drawChart('chart-depth', at, depth);
  drawChart('chart-throughput', at, throughput);
  const seconds = at.length > 1 ? Math.round((at[at.length - 1] - at[0]) / 1000) : 0;
  const span = seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
  $('charts-note').textContent = `(a reading every ${h.body.intervalSeconds} s, ${at.length} so far`
    + (at.length > 1 ? ` over ${span}` : '') + '; throughput counts this instance only)';
  // the legend: each tier's colour and, for tiers with a latency objective, its status now
  $('chart-legend').replaceChildren(...queues.map(([q, v], i) => {
    const o = v.objective;
    return el('span', { 'data-legend': q },
      svg('svg', { width: 14, height: 4, viewBox: '0 0 14 4' }, svg('rect', { width: 14, height: 4, fill: colourOf(q, i) })),
      q, o ? el('span', { class: 'slo ' + (o.status === 'met' ? 'ok' : 'bad'), 'data-slo': o.status },
        ` · SLO ${o.status} (p99 wait ${Number(o.p99Seconds).toFixed(3)} s, target ${o.targetSeconds} s)`) : null);
  }));
}

// ---- schedules, breakers, instances

async function refreshSchedules() {
  const r = await getJson('/v1/schedules');
  const rows = (r.body?.items || []).map(s => {
    const path = '/v1/schedules/' + encodeURIComponent(s.name);
    // one key per click: a retried request (a flaky network) then makes no second job
    const trigger = el('button', { type: 'button', class: 'trigger', 'data-schedule': s.name }, 'Trigger now');
    trigger.addEventListener('click', () => adminPost(path + '/trigger', trigger,
      body => `Schedule ${s.name} fired: job ${body?.jobId ?? ''}`, `Trigger of ${s.name}`,
      { 'Idempotency-Key': crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random() }));
    const toggle = adminButton(s.paused ? 'Resume' : 'Pause',
      { class: s.paused ? 'resume' : 'pause danger', 'data-schedule': s.name }, path + (s.paused ? '/resume' : '/pause'),
      s.paused ? `Schedule ${s.name} resumed.` : `Schedule ${s.name} paused: its ticks enqueue nothing until resumed.`);
    return el('tr', { 'data-schedule': s.name, 'data-paused': s.paused },
      el('td', { class: 'mono' }, s.name),
      el('td', { class: 'mono' }, `${s.cron} ${s.zone ?? ''}`),
      el('td', {}, s.jobType),
      el('td', {}, s.queue),
      el('td', {}, s.paused ? '–' : time(s.nextFire)),
      el('td', {}, time(s.lastFire)),
      el('td', {}, s.lastJobId ? jobLink(s.lastJobId) : ''),
      el('td', { class: 'last-state ' + (s.lastJobState === 'dead' ? 'bad' : s.lastJobState === 'completed' ? 'ok' : '') },
        s.paused ? 'paused' : (s.lastJobState ?? '')),
      el('td', { class: 'actions' }, trigger, ' ', toggle));
  });
  fill('schedules', rows, 9, 'no schedules');
}

async function refreshBreakers() {
  const r = await getJson('/v1/breakers');
  const all = Object.entries(r.body?.breakers || {});
  const open = all.filter(([, state]) => state !== 'CLOSED');
  $('breakers-total').textContent = r.body ? `(${open.length} of ${all.length})` : '';
  fill('breakers', open.map(([type, state]) => el('tr', { 'data-breaker': type },
    el('td', { class: 'mono' }, type), el('td', { class: 'bad' }, state.toLowerCase().replace('_', '-')))),
    2, all.length ? 'every breaker is closed' : 'no breakers yet');
}

async function refreshInstances() {
  const r = await getJson('/v1/workers');
  const rows = (r.body?.items || []).map(w => el('tr', { 'data-worker': w.id, 'data-live': w.live },
    el('td', { title: w.id }, w.host),
    el('td', { class: 'mono' }, Object.entries(w.queues || {}).map(([q, n]) => `${q}:${n}`).join(' ')),
    el('td', { class: 'mono preview' }, (w.types || []).join(' ')),
    el('td', {}, time(w.heartbeatAt)),
    el('td', { class: w.live ? 'ok' : 'bad' }, w.live ? 'live' : 'gone')));
  fill('instances', rows, 5, 'no instances registered');
}

// ---- health and objectives

async function refreshHealth() {
  const h = await getJson('/health/ready');
  const badge = $('health');
  const ok = h.status === 200;
  badge.textContent = ok ? 'ready' : 'not ready: ' + (h.body?.failed || []).join(', ');
  badge.className = ok ? 'badge ok' : 'badge bad';
  const objectives = h.body?.objectives || {};
  const rows = Object.entries(objectives).map(([tier, o]) => el('tr', { 'data-tier': tier },
    el('td', {}, tier),
    el('td', { class: o.status === 'met' ? 'ok' : 'bad' }, o.status),
    el('td', { class: 'num' }, Number(o.p99Seconds).toFixed(3) + ' s'),
    el('td', { class: 'num' }, Number(o.targetSeconds).toFixed(3) + ' s')));
  fill('objectives', rows, 4, 'no objectives reported');
}

// ---- dead letters and retry

async function refreshDead() {
  const d = await getJson('/v1/dead-letters?limit=50');
  const rows = (d.body?.items || []).map(j => {
    const retry = el('button', { class: 'retry', type: 'button', 'data-job-id': j.id }, 'Retry');
    retry.addEventListener('click', () => retryDead(j.id, retry));
    return el('tr', { 'data-dead-id': j.id },
      el('td', {}, jobLink(j.id)),
      el('td', {}, j.queue),
      el('td', {}, j.type),
      el('td', { class: 'num' }, `${j.attempts}/${j.maxAttempts}`),
      el('td', {}, time(j.diedAt)),
      el('td', { class: 'preview mono' }, lastError(j.errors)),
      el('td', {}, retry));
  });
  fill('dead', rows, 7, 'no dead letters');
}

async function retryDead(id, button) {
  const body = await adminPost('/v1/dead-letters/' + encodeURIComponent(id) + '/retry', button,
    `Job ${id} is back in its queue.`, `Retry of ${id}`);
  if (body && $('job-detail')?.dataset.jobId === id) renderJob(id); // the detail on show still says dead
}

/**
 * POSTs an admin action with the tab's key; says what happened (the server's code and message on a refusal)
 * and refreshes the overview. Returns the reply's body when it succeeded, else null.
 */
async function adminPost(path, button, doneText, what, headers) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    say('Enter the admin token (SPINE_ADMIN_TOKEN) at the top right first.', true);
    $('token').focus();
    return null;
  }
  if (button) button.disabled = true;
  try {
    const r = await fetch(path, {
      method: 'POST', headers: { Authorization: 'Bearer ' + token, ...(headers || {}) }, cache: 'no-store' });
    const body = await r.json().catch(() => null);
    if (r.ok) {
      say(typeof doneText === 'function' ? doneText(body) : doneText, false);
      return body ?? {};
    }
    say(`${what ?? button?.textContent ?? path} failed: ${r.status} ${body?.errorCode ?? ''} ${body?.message ?? ''}`, true);
    return null;
  } catch (e) {
    say(`${what ?? path} failed: ${e}`, true);
    return null;
  } finally {
    if (button) button.disabled = false;
    await refreshOverview();
  }
}

/** A button that runs an admin action (the admin token is asked for at the top right). */
function adminButton(text, attrs, path, doneText, headers) {
  const b = el('button', { type: 'button', ...attrs }, text);
  b.addEventListener('click', () => adminPost(path, b, doneText, `${text} (${path})`, headers));
  return b;
}

// ---- rejected and recent events

async function refreshRejected() {
  const r = await getJson('/v1/rejected-events?limit=20');
  $('rejected-total').textContent = r.body ? `(${r.body.total} in all)` : '';
  const rows = (r.body?.items || []).map(e => el('tr', { 'data-rejected-id': e.id },
    el('td', {}, time(e.receivedAt)),
    el('td', { class: 'mono' }, e.code),
    el('td', { class: 'mono' }, e.field ?? ''),
    el('td', {}, e.reason),
    el('td', { class: 'preview mono' }, e.preview ?? '')));
  fill('rejected', rows, 5, 'no rejected events');
}

async function refreshEvents() {
  const r = await getJson('/v1/recent-events?limit=20');
  $('events-stream').textContent = r.body ? `(${r.body.stream}, last sequence ${r.body.lastSequence})` : '';
  const rows = (r.body?.items || []).map(e => {
    if (e.malformed) {
      return el('tr', { 'data-sequence': e.sequence },
        el('td', { class: 'num' }, e.sequence),
        el('td', { class: 'mono bad' }, 'malformed: ' + e.malformed),
        el('td', { class: 'mono', colspan: 3 }, e.subject),
        el('td', { class: 'preview mono' }, e.preview ?? ''));
    }
    const corr = actionLink(e.correlationId, {}, () => showCorrelation($('correlation'), e.correlationId, null));
    return el('tr', { 'data-sequence': e.sequence },
      el('td', { class: 'num' }, e.sequence),
      el('td', { class: 'mono' }, e.eventType),
      el('td', {}, e.source),
      el('td', {}, time(e.timestamp)),
      el('td', {}, corr),
      el('td', { class: 'preview mono' }, e.preview));
  });
  fill('events', rows, 6, 'no events yet');
}

// ---- one job: detail, trace link, correlation chain

function traceLink(traceparent) {
  const m = TRACEPARENT.exec(traceparent || '');
  if (!m) return el('span', { class: 'dim' }, 'no trace context');
  if (!jaegerUrl) return el('span', { class: 'mono' }, m[1]);
  return el('a', { id: 'trace-link', href: jaegerUrl + '/trace/' + m[1], target: '_blank', rel: 'noopener noreferrer' },
    'open trace ' + m[1] + ' in Jaeger');
}

/** Shows the job page of {@code id}: its address is #job/<id>, so it can be bookmarked and sent. */
function openJob(id) {
  location.hash = '#job/' + encodeURIComponent(id);
}

/** The page the address names: the overview, or one job's page. */
async function route() {
  const m = /^#job\/(.+)$/.exec(location.hash);
  const id = m ? decodeURIComponent(m[1]) : null;
  $('overview').hidden = !!id;
  $('job-page').hidden = !id;
  if (id) {
    $('job-page-id').textContent = id;
    $('job').replaceChildren(el('p', { class: 'dim' }, 'loading…'));
    await renderJob(id);
  }
}

/** Fetches and draws one job; the refresh loop calls it again while the job's state can still change. */
async function renderJob(id) {
  const box = $('job');
  const r = await getJson('/v1/jobs/' + encodeURIComponent(id));
  if (r.status !== 200) {
    box.replaceChildren(el('p', { class: 'bad' }, `${r.body?.errorCode ?? r.status}: ${r.body?.message ?? ''}`));
    return;
  }
  const j = r.body;
  const fields = [['id', j.id], ['type', j.type], ['queue', j.queue], ['state', j.state], ['priority', j.priority],
    ['attempt', `${j.attempt}/${j.maxAttempts}`], ['created', time(j.createdAt)], ['finished', time(j.finishedAt)],
    ['correlation', j.correlationId ?? '']];
  const dl = el('dl', { id: 'job-detail', 'data-job-id': j.id, 'data-state': j.state });
  for (const [k, v] of fields) dl.append(el('dt', {}, k), el('dd', { class: 'mono' }, v));
  dl.append(el('dt', {}, 'trace'), el('dd', {}, traceLink(j.traceparent)));
  box.replaceChildren(dl,
    el('h3', {}, 'Attempts'), attemptsOf(j),
    el('h3', {}, 'Payload'), el('pre', { class: 'preview mono' }, JSON.stringify(j.payload, null, 2)),
    el('h3', {}, 'Correlation timeline ', el('span', { class: 'dim' }, j.correlationId ?? '')),
    el('div', { id: 'chain' }, 'loading…'));
  if (j.correlationId) {
    await showCorrelation($('chain'), j.correlationId, j.id);
  } else {
    $('chain').textContent = 'the job has no correlation id';
  }
}

function errorsOf(j) {
  return (Array.isArray(j.errors) ? j.errors : []).map(e => typeof e === 'object' && e !== null ? e : { error: String(e) });
}

/** Each attempt with its outcome: a failed one with its error, the last one with the job's state. */
function attemptsOf(j) {
  const errors = errorsOf(j);
  const rows = errors.map(e => el('tr', { class: 'attempt', 'data-attempt': e.attempt ?? '' },
    el('td', { class: 'num' }, '#' + (e.attempt ?? '?')), el('td', {}, time(e.at)), el('td', { class: 'bad' }, 'failed'),
    el('td', { class: 'preview mono' }, e.error ?? '')));
  if (j.attempt > errors.length && j.state !== 'dead') {
    const done = j.state === 'completed';
    rows.push(el('tr', { class: 'attempt', 'data-attempt': j.attempt },
      el('td', { class: 'num' }, '#' + j.attempt), el('td', {}, time(j.finishedAt)),
      el('td', { class: done ? 'ok' : '' }, j.state), el('td', {}, '')));
  }
  if (rows.length === 0) return el('p', { class: 'dim' }, `no attempt yet (${j.state})`);
  return el('table', { id: 'attempts' },
    el('thead', {}, el('tr', {}, ...['attempt', 'at', 'outcome', 'error'].map(h => el('th', {}, h)))),
    el('tbody', {}, ...rows));
}

/**
 * The correlation chain as one timeline: every job sharing the id (created, each failed attempt, finished) and
 * the events carrying it among the stream's newest 200 (older ones are not searched: the stream has no index by
 * correlation id), oldest first.
 */
async function showCorrelation(box, correlationId, currentId) {
  const [jobs, events] = await Promise.all([
    getJson('/v1/jobs?correlationId=' + encodeURIComponent(correlationId) + '&limit=100'),
    getJson('/v1/recent-events?limit=200')]);
  const items = jobs.body?.items || [];
  const entries = [];
  for (const e of events.body?.items || []) {
    if (e.correlationId === correlationId) {
      entries.push({ at: e.timestamp, kind: 'event', cls: 'event', seq: e.sequence,
        text: [el('span', { class: 'mono' }, e.eventType), ` published by ${e.source} (sequence ${e.sequence})`] });
    }
  }
  for (const j of items) {
    const mine = j.id === currentId ? ' current' : '';
    entries.push({ at: j.createdAt, kind: 'created', cls: 'created' + mine, job: j.id,
      text: [jobLink(j.id), ` ${j.type} enqueued on ${j.queue}`] });
    for (const e of errorsOf(j)) {
      entries.push({ at: e.at, kind: 'failed', cls: 'bad' + mine, job: j.id,
        text: [jobLink(j.id), ` attempt ${e.attempt ?? '?'} failed: `, el('span', { class: 'mono' }, e.error ?? '')] });
    }
    if (j.finishedAt) {
      entries.push({ at: j.finishedAt, kind: j.state, cls: (j.state === 'completed' ? 'ok' : 'bad') + mine, job: j.id,
        text: [jobLink(j.id), ` ${j.state}`] });
    } else {
      entries.push({ at: null, kind: j.state, cls: mine, job: j.id, text: [jobLink(j.id), ` ${j.state} now`] });
    }
  }
  if (entries.length === 0) {
    box.replaceChildren(el('p', { class: 'dim' }, 'no jobs or recent events carry this correlation id'));
    return;
  }
  // no time (still running) sorts last; events before the jobs they made when the times tie
  const key = x => x.at ? Date.parse(x.at) : Number.MAX_SAFE_INTEGER;
  entries.sort((a, b) => key(a) - key(b) || (a.kind === 'event' ? -1 : b.kind === 'event' ? 1 : 0));
  box.replaceChildren(el('ol', { class: 'timeline', 'data-correlation-id': correlationId },
    ...entries.map(x => el('li', { class: x.cls.trim() || null, 'data-kind': x.kind, 'data-job-id': x.job ?? null,
      'data-sequence': x.seq ?? null }, el('span', { class: 'when' }, x.at ? time(x.at) : '…'), ...x.text))));
}

// ---- token

function showTokenState() {
  $('token-state').textContent = sessionStorage.getItem(TOKEN_KEY) ? 'key set for this tab' : 'no key';
}

function setUpToken() {
  $('token-form').addEventListener('submit', e => {
    e.preventDefault();
    const t = $('token').value.trim();
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    $('token').value = '';
    showTokenState();
    say('', false);
    loadConfig().then(refresh); // what the page could not read without the key, now
  });
  $('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showTokenState();
  });
  showTokenState();
}

// ---- refresh loop

async function refresh() {
  if (refreshing) return; // a slow refresh is not stacked under the next one
  refreshing = true;
  try {
    const shown = $('job-detail');
    const follow = shown && !$('job-page').hidden && !FINAL_STATES.has(shown.dataset.state);
    const results = (await Promise.all([refreshOverview(),
      Promise.allSettled(follow ? [renderJob(shown.dataset.jobId)] : [])])).flat();
    const failed = results.filter(r => r.status === 'rejected');
    $('refreshed').textContent = (failed.length ? 'refresh failed: ' + failed[0].reason + ' · ' : '')
      + 'updated ' + new Date().toLocaleTimeString();
  } finally {
    refreshing = false;
  }
}

/** Every part of the overview, each on its own: one failing leaves the others drawn. */
async function refreshOverview() {
  return Promise.allSettled([refreshQueues(), refreshHistory(), refreshHealth(), refreshSchedules(), refreshBreakers(),
    refreshInstances(), refreshDead(), refreshRejected(), refreshEvents()]);
}

async function loadConfig() {
  const c = await getJson('/v1/dashboard-config').catch(() => null);
  const url = c?.body?.jaegerUrl;
  jaegerUrl = typeof url === 'string' && /^https?:\/\//.test(url) ? url.replace(/\/+$/, '') : null;
}

async function start() {
  setUpToken();
  $('job-form').addEventListener('submit', e => {
    e.preventDefault();
    const id = $('job-id').value.trim();
    if (id) openJob(id);
  });
  $('job-page-back').addEventListener('click', e => {
    e.preventDefault();
    history.pushState(null, '', location.pathname); // back to the overview, no '#' left in the address
    route();
  });
  window.addEventListener('hashchange', route);
  await loadConfig();
  route(); // after the config: the job page's trace link needs the Jaeger URL
  await refresh();
  setInterval(refresh, REFRESH_MS);
}

document.addEventListener('DOMContentLoaded', start);
