// Drive the real Neo4j Browser (served by the test server at /browser/) in headless Debian chromium:
// connect with auth, apply ClaimGraph's GraSS style, set the parameters, run one saved query, and
// report what the graph view drew (nodes and relationships by caption/label) as JSON on stdout.
//   node neo4j_browser.mjs '{"http": 7474, "bolt": 7687, "password": "…", "grass": "…", "params": {…},
//                           "query": "MATCH …", "screenshot": "/tmp/browser.png"}'
import { chromium } from 'playwright-core';

const job = JSON.parse(process.argv[2]);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${job.http}/browser/?dbms=neo4j://neo4j@127.0.0.1:${job.bolt}`);
  await page.fill('[data-testid="password"]', job.password);
  await page.click('[data-testid="connect"]');
  await page.waitForSelector('text=You are connected as user', { timeout: 60000 });

  const run = async (command) => {
    const editor = page.locator('[data-testid="activeEditor"] textarea, [data-testid="activeEditor"] .monaco-editor').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(command);
    await page.keyboard.press('Control+Enter');
    await page.waitForTimeout(1500);
  };
  await run(`:style ${job.grass.replace(/\/\*.*?\*\//gs, '').replace(/\s+/g, ' ')}`);
  for (const [name, value] of Object.entries(job.params || {})) {
    await run(`:param ${name} => ${JSON.stringify(value)}`);
  }
  await run(':clear'); // only the query's frame in the picture
  const banner = page.locator('text=To help make Neo4j Browser better').locator('xpath=..').locator('button');
  if (await banner.count()) await banner.first().click();
  await run(job.query.replace(/\s+/g, ' '));
  await page.waitForSelector('svg g.node', { timeout: 60000 });
  await page.waitForTimeout(4000); // let the force layout settle before the picture
  const drawn = await page.$$eval('svg g.node', (nodes) =>
    nodes.map((n) => ({
      caption: Array.from(n.querySelectorAll('text')).map((t) => t.textContent).join(' ').trim(),
      fill: n.querySelector('circle')?.getAttribute('fill') ?? null,
    })),
  );
  const relationships = await page.$$eval('svg g.relationship', (rels) =>
    rels.map((r) => Array.from(r.querySelectorAll('text')).map((t) => t.textContent).join(' ').trim()),
  );
  if (job.screenshot) await page.screenshot({ path: job.screenshot });
  console.log(JSON.stringify({ nodes: drawn, relationships }));
} finally {
  await browser.close();
}
