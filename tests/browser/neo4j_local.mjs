// Drive Neo4j Browser as `kg neo4j start` leaves it, in headless Debian chromium, with no login and no typing:
// the Browser connects (auth is off on loopback), applies ClaimGraph's style, sets $benchmark and opens the guide
// of saved queries by itself (browser.post_connect_cmd); we copy one saved query from the guide into the editor,
// run it, and report what the graph view drew as JSON on stdout. Also: every request that left 127.0.0.1.
//   node neo4j_local.mjs '{"browser": "http://127.0.0.1:7474/browser/?…", "query": "Claims about …", "screenshot": "/tmp/browser.png"}'
import { chromium } from 'playwright-core';

const job = JSON.parse(process.argv[2]);
const out = { requests_outside: [], frames: [] };
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['127.0.0.1', 'localhost'].includes(url.hostname) && !r.url().startsWith('data:')) out.requests_outside.push(r.url());
  });
  await page.goto(job.browser);
  // the address `kg neo4j start` prints names the server and "no authentication": Browser connects by itself
  // the guide of saved queries opens on its own once Browser has connected and run the post-connect commands
  const guide = page.locator('text=ClaimGraph saved queries').first();
  await guide.waitFor({ timeout: 90000 });
  // $benchmark is set on connect too; the post-connect commands run side by side, so wait for it
  await page.locator('text=Successfully set your parameters').first().waitFor({ timeout: 60000 });
  // the saved query is copied from the guide into the editor and run
  const query = await page.locator('pre.runnable', { hasText: job.query_text }).first().textContent();
  out.query = query;
  const editor = page.locator('[data-testid="activeEditor"] textarea, [data-testid="activeEditor"] .monaco-editor').first();
  await editor.click();
  await page.keyboard.insertText(query.replace(/\s+/g, ' '));
  await page.keyboard.press('Control+Enter');
  try {
    await page.waitForSelector('svg g.node', { timeout: 60000 });
  } catch (error) {
    if (job.screenshot) await page.screenshot({ path: `${job.screenshot}.failed.png` });
    throw error;
  }
  await page.waitForTimeout(4000); // let the force layout settle before the picture
  out.nodes = await page.$$eval('svg g.node', (nodes) =>
    nodes.map((n) => ({
      caption: Array.from(n.querySelectorAll('text')).map((t) => t.textContent).join(' ').trim(),
      fill: n.querySelector('circle')?.getAttribute('fill') ?? null,
    })),
  );
  out.relationships = await page.$$eval('svg g.relationship', (rels) =>
    rels.map((r) => Array.from(r.querySelectorAll('text')).map((t) => t.textContent).join(' ').trim()),
  );
  out.errors = await page.$$eval('[data-testid="frame"]', (frames) => frames.map((f) => f.textContent).filter((t) => /Error/.test(t)).map((t) => t.slice(0, 300)));
  if (job.screenshot) await page.screenshot({ path: job.screenshot });
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}
