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
  if (rows.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { class: 'empty', colspan: columns }, emptyText)));
  } else {
    body.replaceChildren(...rows);
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
  return actionLink(id, { 'data-job-id': id }, () => showJob(id));
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
    el('td', { class: q.paused ? 'bad' : 'ok' }, q.paused ? 'paused' : 'running')));
  fill('queues', rows, 7, 'no queues');
  $('totals').textContent = r.completed === null || r.completed === undefined ? 'rates appear after the next refresh'
    : `this instance: completed ${r.completed.toFixed(1)}/s · failed attempts ${r.failed.toFixed(1)}/s`
      + ' (runs/s: finished attempts per queue)';
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
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    say('Enter the admin token (SPINE_ADMIN_TOKEN) at the top right first.', true);
    $('token').focus();
    return;
  }
  button.disabled = true;
  try {
    const r = await fetch('/v1/dead-letters/' + encodeURIComponent(id) + '/retry', {
      method: 'POST', headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
    const body = await r.json().catch(() => null);
    if (r.ok) {
      say(`Job ${id} is back in its queue.`, false);
      if ($('job-detail')?.dataset.jobId === id) renderJob(id); // the detail on show still says dead
    } else {
      say(`Retry of ${id} failed: ${r.status} ${body?.errorCode ?? ''} ${body?.message ?? ''}`, true);
    }
  } catch (e) {
    say(`Retry of ${id} failed: ${e}`, true);
  } finally {
    button.disabled = false;
    await Promise.allSettled([refreshDead(), refreshQueues()]);
  }
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
    const corr = actionLink(e.correlationId, {}, () => showCorrelation(e.correlationId, null));
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

async function showJob(id) {
  $('job-id').value = id;
  await renderJob(id);
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
  const errors = (Array.isArray(j.errors) ? j.errors : []).map(e =>
    el('li', { class: 'mono' }, typeof e === 'object' ? `#${e.attempt ?? '?'} ${time(e.at)}: ${e.error ?? ''}` : String(e)));
  box.replaceChildren(dl,
    el('h3', {}, 'Errors'), errors.length ? el('ol', {}, ...errors) : el('p', { class: 'dim' }, 'none'),
    el('h3', {}, 'Payload'), el('pre', { class: 'preview mono' }, JSON.stringify(j.payload, null, 2)),
    el('h3', {}, 'Correlation chain'), el('div', { id: 'chain' }, 'loading…'));
  if (j.correlationId) {
    await showCorrelation(j.correlationId, j.id);
  } else {
    $('chain').textContent = 'the job has no correlation id';
  }
}

async function showCorrelation(correlationId, currentId) {
  let chain = $('chain');
  if (!chain) {
    $('job').replaceChildren(el('h3', {}, 'Correlation chain ' + correlationId), el('div', { id: 'chain' }));
    chain = $('chain');
  }
  const r = await getJson('/v1/jobs?correlationId=' + encodeURIComponent(correlationId) + '&limit=100');
  const items = r.body?.items || [];
  if (items.length === 0) {
    chain.replaceChildren(el('p', { class: 'dim' }, 'no jobs carry this correlation id'));
    return;
  }
  const rows = items.map(j => el('tr', { class: j.id === currentId ? 'current' : null },
    el('td', {}, jobLink(j.id)), el('td', {}, j.type), el('td', {}, j.queue), el('td', {}, j.state),
    el('td', {}, time(j.createdAt))));
  chain.replaceChildren(el('table', {},
    el('thead', {}, el('tr', {}, ...['job', 'type', 'queue', 'state', 'created'].map(h => el('th', {}, h)))),
    el('tbody', {}, ...rows)));
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
    const tasks = [refreshQueues(), refreshHealth(), refreshDead(), refreshRejected(), refreshEvents()];
    const shown = $('job-detail');
    if (shown && !FINAL_STATES.has(shown.dataset.state)) tasks.push(renderJob(shown.dataset.jobId));
    const results = await Promise.allSettled(tasks);
    const failed = results.filter(r => r.status === 'rejected');
    $('refreshed').textContent = (failed.length ? 'refresh failed: ' + failed[0].reason + ' · ' : '')
      + 'updated ' + new Date().toLocaleTimeString();
  } finally {
    refreshing = false;
  }
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
    if (id) showJob(id);
  });
  await loadConfig();
  await refresh();
  setInterval(refresh, REFRESH_MS);
}

document.addEventListener('DOMContentLoaded', start);
