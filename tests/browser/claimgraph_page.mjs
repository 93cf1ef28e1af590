// Drive ClaimGraph's own page (served by `kg serve`) in headless Debian chromium as a researcher would:
// search XNLI, open a claim, read its evidence, look at its graph; then open /docs and /graphql. Reports
// what the page showed as JSON on stdout; screenshots go to job.shots (a folder) when given.
//   node claimgraph_page.mjs '{"base": "http://127.0.0.1:8000", "shots": "/tmp"}'
import { chromium } from 'playwright-core';

const job = JSON.parse(process.argv[2]);
const out = { requests_outside: [] };
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const base = new URL(job.base);
  page.on('request', (r) => { if (new URL(r.url()).host !== base.host && !r.url().startsWith('data:')) out.requests_outside.push(r.url()); });
  const shot = async (name) => { if (job.shots) await page.screenshot({ path: `${job.shots}/${name}`, fullPage: false }); };

  await page.goto(`${job.base}/`);
  await page.waitForSelector('[data-testid="claim-row"]');
  out.all_claims = await page.locator('[data-testid="claim-row"]').count();
  await page.selectOption('[data-testid="benchmark"]', 'XNLI');
  await page.click('#search button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="claim-row"]').length < 10);
  out.xnli_claims = await page.$$eval('[data-testid="claim-row"]', (rows) => rows.map((r) => r.dataset.key));
  out.xnli_status = await page.$$eval('[data-testid="claim-row"]', (rows) =>
    rows.map((r) => [r.dataset.key, r.querySelector('[data-testid="claim-status"]')?.textContent ?? '']));
  out.address = decodeURIComponent(await page.evaluate(() => location.hash));
  await shot('page-search.png');

  await page.selectOption('[data-testid="reports"]', 'verified');
  await page.click('#search button[type=submit]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="claim-row"]').length !== n, out.xnli_claims.length);
  out.xnli_verified = await page.$$eval('[data-testid="claim-row"]', (rows) => rows.map((r) => r.dataset.key));

  await page.click('[data-testid="claim-row"]');
  await page.waitForSelector('[data-testid="claim-text"]');
  await page.waitForFunction(() => window.cy && window.cy.nodes().length > 0);
  await page.waitForTimeout(500);
  out.claim = {
    hash: decodeURIComponent(await page.evaluate(() => location.hash)),
    text: await page.textContent('[data-testid="claim-text"]'),
    assertions: await page.$$eval('[data-testid="assertion"]', (els) => els.map((e) => e.textContent.replace(/\s+/g, ' ').trim())),
    verdict: (await page.textContent('[data-testid="verdict"]').catch(() => ''))?.trim() ?? '',
    reason: (await page.textContent('[data-testid="reason"]').catch(() => ''))?.trim() ?? '',
    evidence: await page.$$eval('[data-testid="evidence-row"]', (rows) => rows.map((r) => r.textContent.replace(/\s+/g, ' ').trim())),
    graph: await page.evaluate(() => ({
      nodes: window.cy.nodes().map((n) => ({ id: n.id(), label: n.data('label'), colour: n.style('background-color') })),
      edges: window.cy.edges().length,
      drawn: document.querySelectorAll('#graph canvas').length,
    })),
  };
  await page.locator('#claim').scrollIntoViewIfNeeded();
  await shot('page-claim.png');
  await page.locator('#graph-panel').scrollIntoViewIfNeeded();
  await shot('page-graph.png');

  await page.goto(`${job.base}/#/benchmark/XNLI`);
  await page.waitForSelector('#graph[data-centre="Benchmark:XNLI"]');
  out.benchmark_graph = await page.evaluate(() => window.cy.nodes().map((n) => n.data('label')));

  await page.goto(`${job.base}/docs`);
  await page.waitForSelector('.swagger-ui .opblock', { timeout: 30000 });
  out.docs_operations = await page.locator('.swagger-ui .opblock').count();
  await page.goto(`${job.base}/graphql`);
  await page.waitForSelector('.graphiql-container .graphiql-query-editor', { timeout: 30000 });
  await page.waitForTimeout(1000);
  out.graphiql_query = await page.evaluate(() => document.querySelector('.graphiql-query-editor')?.textContent ?? '');
  await page.keyboard.press('Control+Enter');
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(() => (document.querySelector('.graphiql-response')?.textContent ?? '').includes('edges'), null, { timeout: 30000 });
  out.graphiql_response = await page.evaluate(() => document.querySelector('.graphiql-response')?.textContent ?? '');
  await shot('page-graphiql.png');
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}
