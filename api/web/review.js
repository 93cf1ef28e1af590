// The review page (#/review): the queue of claims worth a person's look, one claim with the reports'
// marks and the verifier's evidence, and a decision in one click (with an optional note). Writes need
// the API token (kept in this tab's sessionStorage only); the reviewer's name comes from the server's
// CLAIMGRAPH_REVIEWER or the field here. Uses app.js's helpers ($, esc, api, badge, mark, evidenceTable).
'use strict';

const LABELS = [['SUPPORTED', 'Supported'], ['REFUTED', 'Refuted'], ['NOT_ENOUGH_INFO', 'Not enough info']];

function reviewForm(claim) {
  const buttons = LABELS.map(([value, text]) =>
    `<button type="button" class="decide ${value}" data-verdict="${value}" data-testid="decide-${value}">${text}</button>`).join(' ');
  return `<form id="review-form" data-testid="review-form">
      <label>Note <input name="note" data-testid="review-note" placeholder="why: what you read, where"></label>
      <label>Your name <input name="reviewer" data-testid="reviewer" value="${esc(sessionStorage.getItem('reviewer') || '')}"
        placeholder="unless the server names you"></label>
      <label>API token <input name="token" type="password" data-testid="token"
        value="${esc(sessionStorage.getItem('token') || '')}"></label>
      <p>${buttons}</p>
    </form>
    ${claim.reviews.length ? `<h3>Reviews so far</h3><ul>${claim.reviews.map((r) => `<li data-testid="review">
      <b>${esc(r.verdict)}</b> by ${esc(r.reviewer)} at ${esc(r.reviewed_at)}${r.stale ? ' (stale: the text changed)' : ''}
      ${r.note ? `— ${esc(r.note)}` : ''}</li>`).join('')}</ul>` : ''}`;
}

async function decide(claim, verdict) {
  const form = new FormData($('#review-form'));
  const token = String(form.get('token') || '');
  const reviewer = String(form.get('reviewer') || '').trim();
  sessionStorage.setItem('token', token);
  sessionStorage.setItem('reviewer', reviewer);
  const response = await fetch(`/claims/${encodeURIComponent(claim.key)}/reviews`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ verdict, note: String(form.get('note') || ''), reviewer: reviewer || null }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message || `${response.status} ${response.statusText}`);
  return body;
}

async function showReviewClaim(key) {
  const claim = await api(`/claims/${encodeURIComponent(key)}`);
  const v = claim.verdict;
  $('#review-claim').innerHTML = `
    <h2 data-testid="review-claim-text">${esc(claim.text)}</h2>
    <p class="key">${esc(claim.key)} · status ${statusBadge(claim.status)} (rests on: ${esc(claim.status_by)})</p>
    <h3>What the reports assert</h3>
    <ul>${claim.assertions.map((a) => `<li>${mark(a.verified)} ${a.confidence.toFixed(2)} <b>${esc(a.source_name)}:${a.line}</b></li>`).join('')}</ul>
    <h3>What the verifier found</h3>
    ${v ? `<p>${badge(v)}</p><p class="why">${esc(v.reason || '')}</p>${evidenceTable(v)}` : '<p>Not verified yet.</p>'}
    <h3>Your review</h3>
    ${reviewForm(claim)}`;
  for (const button of document.querySelectorAll('#review-form .decide')) {
    button.addEventListener('click', async () => {
      try {
        const done = await decide(claim, button.dataset.verdict);
        await showReviewQueue();
        status(`recorded: ${done.review.verdict} by ${done.review.reviewer}`);
        $('#review-claim').dataset.recorded = done.review.key;
      } catch (error) {
        status(error.message, true);
      }
    });
  }
}

async function showReviewQueue() {
  show('review');
  status('');
  const items = await api('/review/queue?limit=20');
  $('#review-queue').innerHTML = items.length
    ? `<table><thead><tr><th>priority</th><th>claim</th><th>reports</th><th>verifier</th><th>why</th></tr></thead><tbody>
      ${items.map((i) => `<tr data-testid="queue-row" data-key="${esc(i.claim)}"><td>${i.priority.toFixed(2)}</td>
        <td>${esc(i.text)}</td><td>${esc(i.marks)}</td><td>${esc(i.verifier_verdict || 'not verified')}</td>
        <td>${esc(i.reasons.join('; '))}</td></tr>`).join('')}</tbody></table>`
    : '<p data-testid="queue-empty">Nothing to review: every claim has a current review.</p>';
  for (const row of document.querySelectorAll('[data-testid="queue-row"]')) {
    row.addEventListener('click', () => showReviewClaim(row.dataset.key).catch((error) => status(error.message, true)));
  }
}
