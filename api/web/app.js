// ClaimGraph's own page: search claims, read one claim (reports, verdict with evidence, paraphrases,
// conflicts) and see its neighbourhood graph. Plain JavaScript over the REST API; the graph is drawn
// by cytoscape (vendored from npm, served from /static/vendor). Routes: #/ (search), #/claim/KEY,
// #/benchmark/NAME, #/review (the review queue, in review.js).
'use strict';

// The same colours as docker/neo4j/claimgraph.grass, so the page and Neo4j Browser look alike.
const COLOURS = {
  Claim: '#F79767', Report: '#4C8EDA', Paper: '#57C7E3', Benchmark: '#8DCC93',
  Language: '#FFE081', Model: '#C990C0', Result: '#F16667', Verdict: '#7B6FE0', Review: '#E07BB4',
};
const $ = (selector) => document.querySelector(selector);
const esc = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// What the verifier found, with P(supported) and P(refuted) (not the probability of the label it chose).
const probability = (verdict, label) => verdict.probabilities?.[label];
const odds = (verdict) => (verdict.probabilities
  ? ` <span class="key">P(sup) ${probability(verdict, 'SUPPORTED').toFixed(2)} · P(ref) ${probability(verdict, 'REFUTED').toFixed(2)}</span>`
  : ` <span class="key">${esc(verdict.decided_by)}</span>`);
const badge = (verdict) => verdict
  ? `<span class="badge ${esc(verdict.verdict)}">${esc(verdict.verdict)}</span>${odds(verdict)}`
  : '<span class="badge unchecked">not verified</span>';
const statusBadge = (status) => `<span class="status ${esc(status)}" data-testid="claim-status">${esc(status)}</span>`;
const mark = (verified) => (verified ? '<span class="ok">✓</span>' : '<span class="no">×</span>');

async function api(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message || `${response.status} ${response.statusText}`);
  return body;
}

function status(text, isError = false) {
  const el = $('#status');
  el.textContent = text;
  el.className = isError ? 'error' : '';
}

async function loadBenchmarks() {
  const select = $('select[name=benchmark]');
  for (const b of await api('/benchmarks')) {
    const option = document.createElement('option');
    option.value = b.name;
    option.textContent = `${b.name} (${b.claims})`;
    select.append(option);
  }
}

function searchParams() {
  const form = new FormData($('#search'));
  const params = new URLSearchParams();
  for (const name of ['benchmark', 'language', 'model', 'status', 'verdict', 'marked', 'q']) {
    const value = String(form.get(name) || '').trim();
    if (value) params.set(name, value);
  }
  params.set('limit', '100');
  return params;
}

async function search() {
  show('results');
  const params = searchParams();
  const benchmark = params.get('benchmark');
  const link = $('#benchmark-graph');
  link.hidden = !benchmark;
  if (benchmark) link.href = `#/benchmark/${encodeURIComponent(benchmark)}`;
  status('searching…');
  try {
    const page = await api(`/claims?${params}`);
    renderResults(page.items, page.next_cursor);
  } catch (error) {
    status(error.message, true);
  }
}

function renderResults(items, more) {
  status(`${items.length} claim(s)${more ? ' (first page)' : ''}`);
  const rows = items.map((c) => `
    <tr class="row" data-key="${esc(c.key)}" data-testid="claim-row">
      <td>${esc(c.text)}${c.truncated ? ' <span class="key">(truncated)</span>' : ''}<br><span class="key">${esc(c.key)}</span></td>
      <td>${esc([...c.benchmarks, ...c.models, ...c.languages].join(', '))}</td>
      <td>${statusBadge(c.status)}</td>
      <td>${c.assertions.map((a) => `${mark(a.verified)} ${a.confidence.toFixed(2)} ${esc(a.source_name)}:${a.line}`).join('<br>')}</td>
      <td>${badge(c.verdict)}</td>
    </tr>`).join('');
  $('#results').innerHTML = `<table><thead><tr><th>claim</th><th>entities</th><th>status</th>
    <th>reports assert (✓/×, confidence, file:line)</th><th>verifier found</th></tr></thead><tbody>${rows}</tbody></table>`;
  for (const row of document.querySelectorAll('tr.row')) {
    row.addEventListener('click', () => { location.hash = `#/claim/${row.dataset.key}`; });
  }
}

function evidenceTable(verdict) {
  if (!verdict.evidence.length) return '<p>No evidence sentence passed the relevance gate.</p>';
  const rows = verdict.evidence.map((e) => `
    <tr data-testid="evidence-row"><td>${esc(e.paper)} #${e.index}</td><td>${esc(e.sentence)}</td>
    <td>${e.retrieval.toFixed(2)}</td><td>${e.entailment.toFixed(2)} / ${e.neutral.toFixed(2)} / ${e.contradiction.toFixed(2)}</td></tr>`).join('');
  return `<table><thead><tr><th>paper</th><th>evidence sentence</th><th>cosine</th>
    <th>entail / neutral / contradict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

async function showClaim(key) {
  show('claim');
  status('loading claim…');
  try {
    const [claim, conflicts] = await Promise.all([api(`/claims/${encodeURIComponent(key)}`), api('/conflicts')]);
    const mine = conflicts.filter((c) => c.claims.includes(claim.key));
    const v = claim.verdict;
    $('#claim').innerHTML = `
      <h2 data-testid="claim-text">${esc(claim.text)}</h2>
      <p class="key">${esc(claim.key)} · ${esc([...claim.benchmarks, ...claim.models, ...claim.languages].join(', '))}</p>
      <p>Status: ${statusBadge(claim.status)}</p>
      <h3>What the reports assert (${esc(claim.report_verdict)})</h3>
      <ul>${claim.assertions.map((a) => `<li data-testid="assertion">${mark(a.verified)} ${a.confidence.toFixed(2)}
        <b>${esc(a.source_name)}:${a.line}</b> — ${esc(a.report_title)}</li>`).join('')}</ul>
      <h3>What the verifier found</h3>
      ${v ? `<p data-testid="verdict">${badge(v)} <span class="key">decided by ${esc(v.decided_by)}, model ${esc(v.model)}</span></p>
        <p class="why" data-testid="reason">${esc(v.reason || '')}</p>${evidenceTable(v)}`
        : '<p>Not verified yet: run <code>kg verify</code>.</p>'}
      <h3>What people reviewed</h3>
      ${claim.reviews.length ? `<ul>${claim.reviews.map((r) => `<li data-testid="claim-review"><span class="badge ${esc(r.verdict)}">${esc(r.verdict)}</span>
        by ${esc(r.reviewer)} at ${esc(r.reviewed_at)}${r.stale ? ' (stale: the text changed)' : ''}${r.note ? ` — ${esc(r.note)}` : ''}</li>`).join('')}</ul>`
        : '<p>Nobody yet: <a href="#/review">the review queue</a>.</p>'}
      <h3>Paraphrases</h3>
      ${claim.paraphrases.length ? `<ul>${claim.paraphrases.map((p) => `<li><a href="#/claim/${esc(p.claim)}">${esc(p.text)}</a>
        <span class="key">(${p.score.toFixed(2)})</span></li>`).join('')}</ul>` : '<p>none</p>'}
      <h3>Conflicts</h3>
      ${mine.length ? `<ul>${mine.map((c) => `<li data-testid="conflict">${esc(c.kind.replace('_', ' '))}:
        ✓ ${esc(c.verified_in.join(', ') || '–')} · × ${esc(c.rejected_in.join(', ') || '–')}
        ${c.verdict ? ` · verifier ${esc(c.verdict)}` : ''}</li>`).join('')}</ul>` : '<p>none</p>'}`;
    status('');
    await drawGraph(`/graph/claims/${encodeURIComponent(claim.key)}`, `Neighbourhood of ${claim.key}`);
  } catch (error) {
    status(error.message, true);
  }
}

async function drawGraph(path, title) {
  $('#graph-panel').hidden = false;
  $('#graph-title').textContent = title;
  const graph = await api(path);
  $('#legend').innerHTML = Object.entries(COLOURS)
    .filter(([label]) => graph.nodes.some((n) => n.label === label))
    .map(([label, colour]) => `<span><i style="background:${colour}"></i>${label}</span>`).join('');
  if (window.cy) window.cy.destroy();
  window.cy = cytoscape({
    container: $('#graph'),
    elements: [
      ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.label, caption: n.caption }, classes: n.label })),
      ...graph.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target, type: e.type, caption: e.caption || e.type } })),
    ],
    layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 90 },
    style: [
      { selector: 'node', style: {
        'background-color': (n) => COLOURS[n.data('label')] || '#A5ABB6', label: 'data(caption)',
        'font-size': 9, 'text-wrap': 'wrap', 'text-max-width': 110, width: 34, height: 34, color: '#1d2330' } },
      { selector: `node[id = "${graph.centre}"]`, style: { width: 50, height: 50, 'border-width': 3, 'border-color': '#1d2330' } },
      { selector: 'edge', style: {
        width: 1.4, 'line-color': '#A5ABB6', 'target-arrow-color': '#A5ABB6', 'target-arrow-shape': 'triangle',
        'curve-style': 'bezier', label: 'data(caption)', 'font-size': 8, color: '#5f6b7a' } },
      { selector: 'edge[type = "SUPPORTED_BY"]', style: { 'line-color': '#3f9e4d', 'target-arrow-color': '#3f9e4d', width: 3 } },
      { selector: 'edge[type = "REFUTED_BY"]', style: { 'line-color': '#d0453f', 'target-arrow-color': '#d0453f', width: 3 } },
    ],
  });
  window.cy.on('tap', 'node', (event) => {
    const [label, key] = event.target.id().split(/:(.*)/s);
    if (label === 'Claim') location.hash = `#/claim/${key}`;
    if (label === 'Benchmark') location.hash = `#/benchmark/${encodeURIComponent(key)}`;
  });
  $('#graph').dataset.centre = graph.centre;
  $('#graph').dataset.nodes = String(window.cy.nodes().length);
  $('#graph').dataset.edges = String(window.cy.edges().length);
}

function show(which) {
  $('#results').hidden = which !== 'results';
  $('#claim').hidden = which !== 'claim';
  $('#review').hidden = which !== 'review';
  $('#search').hidden = which === 'review';
  if (which !== 'claim') $('#graph-panel').hidden = true;
}

async function route() {
  if (location.hash === '#/review') return showReviewQueue().catch((error) => status(error.message, true));
  const [, kind, value] = location.hash.match(/^#\/(claim|benchmark)\/(.+)$/) || [];
  if (kind === 'claim') return showClaim(decodeURIComponent(value));
  if (kind === 'benchmark') {
    show('results');
    const name = decodeURIComponent(value);
    $('select[name=benchmark]').value = name;
    await search();
    return drawGraph(`/graph/benchmarks/${encodeURIComponent(name)}`, `${name} and its claims`);
  }
  return search();
}

// The form follows the address: a chosen benchmark goes to #/benchmark/NAME (its graph, linkable), else #/.
$('#search').addEventListener('submit', (event) => {
  event.preventDefault();
  const benchmark = $('select[name=benchmark]').value;
  const target = benchmark ? `#/benchmark/${encodeURIComponent(benchmark)}` : '#/';
  if (location.hash === target || (target === '#/' && location.hash === '')) route(); else location.hash = target;
});
window.addEventListener('hashchange', route);
loadBenchmarks().then(route).catch((error) => status(error.message, true));
