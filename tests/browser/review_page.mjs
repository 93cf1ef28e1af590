// Review a claim end to end on ClaimGraph's page (served by `kg serve` with a token) in headless Debian
// chromium: open the review queue, pick the top claim, read its marks and evidence, type the token and a
// note, decide REFUTED with one click, see the queue without it. Reports what the page showed as JSON.
//   node review_page.mjs '{"base": "http://127.0.0.1:8000", "token": "t", "shots": "/tmp"}'
import { chromium } from 'playwright-core';

const job = JSON.parse(process.argv[2]);
const out = { requests_outside: [] };
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const base = new URL(job.base);
  page.on('request', (r) => { if (new URL(r.url()).host !== base.host && !r.url().startsWith('data:')) out.requests_outside.push(r.url()); });
  await page.goto(`${job.base}/`);
  await page.waitForSelector('[data-testid="claim-row"]');
  await page.click('[data-testid="review-link"]');
  await page.waitForSelector('[data-testid="queue-row"]');
  out.queue = await page.$$eval('[data-testid="queue-row"]', (rows) => rows.map((r) => r.dataset.key));
  await page.click('[data-testid="queue-row"]');
  await page.waitForSelector('[data-testid="review-form"]');
  out.text = await page.textContent('[data-testid="review-claim-text"]');
  out.evidence_rows = await page.locator('#review-claim [data-testid="evidence-row"]').count();
  await page.fill('[data-testid="token"]', job.token);
  await page.fill('[data-testid="reviewer"]', 'Ada Reviewer');
  await page.fill('[data-testid="review-note"]', job.note);
  if (job.shots) await page.screenshot({ path: `${job.shots}/page-review.png`, fullPage: true });
  await page.click('[data-testid="decide-REFUTED"]');
  await page.waitForFunction(() => document.querySelector('#review-claim')?.dataset.recorded);
  await page.waitForFunction((first) => ![...document.querySelectorAll('[data-testid="queue-row"]')].some((r) => r.dataset.key === first), out.queue[0]);
  out.status = await page.textContent('#status');
  out.queue_after = await page.$$eval('[data-testid="queue-row"]', (rows) => rows.map((r) => r.dataset.key));
  await page.goto(`${job.base}/#/claim/${out.queue[0]}`);
  await page.waitForSelector('[data-testid="claim-review"]');
  out.claim_review = (await page.textContent('[data-testid="claim-review"]')).replace(/\s+/g, ' ').trim();
  out.claim_status = await page.textContent('#claim [data-testid="claim-status"]');
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out));
