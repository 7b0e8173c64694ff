// Renders /v1/openapi.json as a page: operations grouped by tag (or first path segment), each with its
// parameters, who may call it and every status it answers. Text only (textContent): nothing in the
// document can run as code.
'use strict';

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
  children.forEach(c => e.append(typeof c === 'string' ? document.createTextNode(c) : c));
  return e;
}

function resolve(doc, node) {
  let n = node;
  while (n && n.$ref) {
    n = n.$ref.replace('#/', '').split('/').reduce((o, k) => (o || {})[k], doc);
  }
  return n || {};
}

function group(path, op) {
  if (op.tags && op.tags.length) return op.tags[0];
  const seg = path.split('/').filter(s => s && s !== 'v1')[0];
  return seg || 'root';
}

function render(doc) {
  document.getElementById('title').textContent = doc.info.title;
  document.getElementById('description').textContent = doc.info.description || '';
  const groups = new Map();
  Object.entries(doc.paths).forEach(([path, ops]) => {
    Object.entries(ops).forEach(([method, op]) => {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) return;
      const g = group(path, op);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push({path, method, op});
    });
  });
  const main = document.getElementById('operations');
  const toc = document.getElementById('toc');
  main.textContent = '';
  [...groups.keys()].sort().forEach(name => {
    toc.append(el('a', {href: '#' + name}, name));
    const section = el('section', {id: name}, el('h2', {}, name));
    groups.get(name).forEach(({path, method, op}) => section.append(operation(doc, path, method, op)));
    main.append(section);
  });
}

function operation(doc, path, method, op) {
  const security = (op.security || []).flatMap(s => Object.keys(s));
  const div = el('div', {class: 'op ' + method, id: op.operationId || (method + path)},
    el('span', {class: 'method'}, method), el('span', {class: 'path'}, path),
    el('span', {class: 'auth'}, security.length ? 'needs ' + security.join(' or ') : 'open'),
    el('p', {}, op.summary || ''));
  const params = (op.parameters || []).map(p => resolve(doc, p));
  if (params.length) {
    const t = el('table', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in'), el('th', {}, 'required'),
      el('th', {}, 'description')));
    params.forEach(p => t.append(el('tr', {}, el('td', {}, p.name || ''), el('td', {}, p.in || ''),
      el('td', {}, p.required ? 'yes' : 'no'), el('td', {}, p.description || ''))));
    div.append(t);
  }
  const r = el('table', {}, el('tr', {}, el('th', {}, 'status'), el('th', {}, 'meaning')));
  Object.entries(op.responses || {}).forEach(([status, resp]) =>
    r.append(el('tr', {}, el('td', {}, status), el('td', {}, resolve(doc, resp).description || ''))));
  div.append(r);
  return div;
}

fetch('/v1/openapi.json').then(r => r.json()).then(render).catch(e => {
  document.getElementById('operations').textContent = 'cannot load /v1/openapi.json: ' + e;
});
