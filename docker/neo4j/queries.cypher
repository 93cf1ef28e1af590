// ClaimGraph saved queries for Neo4j Browser. Save each as a favourite (star icon) or paste it.
// Set parameters first, e.g.  :param benchmark => 'XNLI'
// Each query is portable openCypher; tests/test_docker.py runs them on FalkorDB against the sample reports.

// name: Claims about a benchmark and every report's verdict
// params: benchmark
MATCH (b:Benchmark {key: $benchmark})<-[:ABOUT]-(c:Claim)<-[a:ASSERTS]-(r:Report)
RETURN c.key AS claim, c.text AS text, r.source_name AS report, a.verified AS verified, a.confidence AS confidence
ORDER BY claim, report;

// name: Claims about a benchmark, as a graph
// params: benchmark
MATCH p = (r:Report)-[:ASSERTS]->(c:Claim)-[:ABOUT]->(b:Benchmark {key: $benchmark})
RETURN p;

// name: Disagreements between reports on the same claim
MATCH (yes:Report)-[a:ASSERTS]->(c:Claim)<-[b:ASSERTS]-(no:Report)
WHERE a.verified = true AND b.verified = false
RETURN c.text AS claim, collect(DISTINCT yes.source_name) AS verified_by, collect(DISTINCT no.source_name) AS rejected_by
ORDER BY claim;

// name: Disagreements across paraphrased claims
MATCH (yes:Report)-[a:ASSERTS]->(c1:Claim)-[p:PARAPHRASE_OF]-(c2:Claim)<-[b:ASSERTS]-(no:Report)
WHERE a.verified = true AND b.verified = false
RETURN c1.text AS verified_claim, c2.text AS rejected_claim, p.score AS score,
       collect(DISTINCT yes.source_name) AS verified_by, collect(DISTINCT no.source_name) AS rejected_by
ORDER BY verified_claim;

// name: Numbers reported on a benchmark, by whom
// params: benchmark
MATCH (b:Benchmark {key: $benchmark})<-[:ON]-(res:Result)<-[:REPORTS]-(c:Claim)<-[a:ASSERTS]-(r:Report)
RETURN res.value AS value, res.unit AS unit, res.kind AS kind, c.text AS claim, r.source_name AS report,
       a.verified AS verified
ORDER BY value DESC, report;

// name: Claims about a benchmark and their verdicts, as a graph
// params: benchmark
MATCH p = (r:Report)-[:ASSERTS]->(c:Claim)-[:ABOUT]->(b:Benchmark {key: $benchmark})
OPTIONAL MATCH v = (c)-[:HAS_VERDICT]->(:Verdict)
RETURN p, v;

// name: Verifier evidence, as a graph (after `kg verify`)
MATCH p = (c:Claim)-[:SUPPORTED_BY|REFUTED_BY]->(:Paper)
RETURN p;

// name: Where the verifier disagrees with a report
MATCH (r:Report)-[a:ASSERTS]->(c:Claim)-[:HAS_VERDICT]->(v:Verdict)
WHERE (a.verified = true AND v.verdict <> 'SUPPORTED') OR (a.verified = false AND v.verdict = 'SUPPORTED')
RETURN c.text AS claim, r.source_name AS report, a.verified AS report_verified, v.verdict AS verdict, v.score AS score
ORDER BY claim, report;

// name: What people reviewed, beside what the verifier found
MATCH (rv:Review)-[:REVIEWS]->(c:Claim)
OPTIONAL MATCH (c)-[:HAS_VERDICT]->(v:Verdict)
RETURN c.text AS claim, rv.verdict AS reviewed, rv.reviewer AS reviewer, rv.reviewed_at AS at, rv.note AS note,
       v.verdict AS verifier
ORDER BY at DESC, claim;
