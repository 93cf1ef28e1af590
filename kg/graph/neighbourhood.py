"""The neighbourhood of a claim or a benchmark as nodes and edges for a graph view. Pure.

Built from the read model (:class:`~schemas.views.ClaimView`) rather than from the store, so
every backend draws the same picture and the page needs one request: claims, the reports
asserting them (✓/× on the edge), the benchmarks, languages and models they are about,
their numeric results, paraphrase links, the verifier's verdict and the papers of its
evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from schemas.views import ClaimView, GraphEdgeView, GraphNodeView, GraphView


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class _Builder:
    def __init__(self) -> None:
        self.nodes: dict[str, GraphNodeView] = {}
        self.edges: dict[tuple[str, str, str], GraphEdgeView] = {}

    def node(self, label: str, key: str, caption: str) -> str:
        node_id = f"{label}:{key}"
        self.nodes.setdefault(node_id, GraphNodeView(id=node_id, label=label, caption=caption))
        return node_id

    def edge(self, source: str, target: str, kind: str, caption: str = "") -> None:
        self.edges.setdefault(
            (source, target, kind), GraphEdgeView(source=source, target=target, type=kind, caption=caption)
        )

    def add_claim(self, view: ClaimView, cited: Mapping[str, Sequence[str]] | None = None) -> None:
        """The claim and its neighbours; ``cited``: report key → papers it cites (drawn as CITES)."""
        claim = self.node("Claim", view.key, _short(view.text))
        for a in view.assertions:
            report = self.node("Report", a.report, a.source_name)
            self.edge(report, claim, "ASSERTS", "✓" if a.verified else "×")
            for paper in (cited or {}).get(a.report, ()):
                self.edge(report, self.node("Paper", paper, paper), "CITES")
        for name in view.benchmarks:
            self.edge(claim, self.node("Benchmark", name, name), "ABOUT")
        for name in view.languages:
            self.edge(claim, self.node("Language", name, name), "MENTIONS")
        for name in view.models:
            self.edge(claim, self.node("Model", name, name), "MENTIONS")
        for i, r in enumerate(view.results):
            unit = f" {r.unit}" if r.unit else ""
            result = self.node("Result", f"{view.key}#{i}", f"{r.value:g}{unit}")
            self.edge(claim, result, "REPORTS")
            if r.benchmark:
                self.edge(result, self.node("Benchmark", r.benchmark, r.benchmark), "ON")
        for p in view.paraphrases:
            self.edge(claim, self.node("Claim", p.claim, _short(p.text)), "PARAPHRASE_OF", f"{p.score:.2f}")
        if view.verdict is not None:
            v = view.verdict
            self.edge(claim, self.node("Verdict", view.key, v.verdict), "HAS_VERDICT", f"{v.score:.2f}")
            kind = {"SUPPORTED": "SUPPORTED_BY", "REFUTED": "REFUTED_BY"}.get(v.verdict)
            for e in v.evidence:
                paper = self.node("Paper", e.paper, e.paper)
                # a deciding sentence is SUPPORTED_BY / REFUTED_BY; an admitted one that decided nothing, EVIDENCE
                self.edge(claim, paper, kind or "EVIDENCE", f"#{e.index}")

    def view(self, centre: str, truncated: bool = False) -> GraphView:
        return GraphView(
            centre=centre, nodes=list(self.nodes.values()), edges=list(self.edges.values()), truncated=truncated
        )


def claim_neighbourhood(view: ClaimView, cited: Mapping[str, Sequence[str]] | None = None) -> GraphView:
    builder = _Builder()
    builder.add_claim(view, cited)
    return builder.view(f"Claim:{view.key}")


def benchmark_neighbourhood(name: str, views: Iterable[ClaimView], limit: int) -> GraphView:
    """The benchmark, up to ``limit`` of its claims and their neighbourhoods."""
    builder = _Builder()
    builder.node("Benchmark", name, name)
    truncated = False
    for i, view in enumerate(views):
        if i == limit:
            truncated = True
            break
        builder.add_claim(view)
    return builder.view(f"Benchmark:{name}", truncated)
