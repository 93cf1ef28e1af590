"""Ingestors: report and claim-file parsers, and the batch pipeline that writes them."""

from ingest.claims_jsonl import parse_claims_jsonl
from ingest.pipeline import Ingestor, IngestResult, SourceOutcome, discover
from ingest.report_parser import parse_report

__all__ = ["IngestResult", "Ingestor", "SourceOutcome", "discover", "parse_claims_jsonl", "parse_report"]
