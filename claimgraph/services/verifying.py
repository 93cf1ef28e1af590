"""Verification: claims against their papers' abstracts, through the NLI model and the calibrated aggregator."""

from __future__ import annotations

from claimgraph.services.queries import QueryService
from claimgraph.services.workspace import Workspace
from kg.verify.runner import Progress, VerifyConfig, verify_claims
from schemas.graph import VerifyScope
from schemas.views import ClaimQuery, VerifySummary


class VerifyService:
    def __init__(self, workspace: Workspace, queries: QueryService) -> None:
        self._ws = workspace
        self._queries = queries

    def verify(
        self,
        *,
        claim: str | None = None,
        benchmark: str | None = None,
        scope: VerifyScope | None = None,
        model: str | None = None,
        min_precision: float | None = None,
        force: bool = False,
        progress: Progress | None = None,
    ) -> VerifySummary:
        """Verify the selected claims against their papers; only changed evidence or models are re-scored."""
        from kg.nli.model import model_fingerprint
        from kg.nli.scorer import load_scorer
        from kg.verify.evaluate import load_aggregator

        settings = self._ws.settings
        name = model or settings.nli_model
        backend = settings.nli_backend
        aggregator, aggregator_sha = load_aggregator(settings.verify_aggregator, name)
        config = VerifyConfig(
            model=name,
            backend=backend,
            model_fingerprint=model_fingerprint(name, backend),
            aggregator=aggregator,
            aggregator_sha256=aggregator_sha,
            min_precision=min_precision if min_precision is not None else settings.verify_min_precision,
            scope=scope or settings.verify_scope,
            top_k=settings.verify_top_k,
            force=force,
            retrieval_fingerprint=self._ws.retrieval_fingerprint(),
        )
        query = ClaimQuery(
            benchmark=self._queries.resolve("benchmark", benchmark),
            keys=[self._queries.claim_key(claim)] if claim else None,
        )
        with self._ws.store() as store:
            return verify_claims(
                store,
                query,
                config,
                embed=self._ws.embed_cached,
                load_scorer=lambda: load_scorer(name, backend, settings.data_dir),
                gazetteer=self._ws.gazetteer,
                progress=progress,
            )
