"""One validated settings object, built once at start-up and passed down explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.graph import VerifyScope

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """ClaimGraph settings; every field can be set as ``CLAIMGRAPH_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="CLAIMGRAPH_", extra="ignore")

    data_dir: Path = Field(default=Path(".claimgraph"), description="Where the embedded store lives.")
    store: str | None = Field(
        default=None,
        description="Store URI; default is the embedded store in data_dir (embedded://<data_dir>).",
    )
    embedding_model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL,
        description="Sentence-embedding model: a hub id or a local path.",
    )
    gazetteer: Path | None = Field(default=None, description="Extra gazetteer TOML merged over the built-in one.")
    paraphrase_threshold: float = Field(default=0.75, ge=0.0, le=1.0)
    nli_model: str = Field(
        default="claimgraph-nli-minilm", description="NLI cross-encoder: the shipped model, a hub id or a local path."
    )
    nli_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="onnx-int8",
        description="NLI inference path on CPU: torch fp32, ONNX Runtime fp32, or ONNX Runtime with int8 weights "
        "(exported and cached in data_dir/onnx on first use). See bench/results/nli_inference.md.",
    )
    verify_scope: VerifyScope = Field(
        default="cited", description="Evidence pool: papers linked to the claim's reports, or every paper."
    )
    verify_top_k: int = Field(default=5, ge=1, le=100, description="Evidence sentences kept per claim.")
    verify_min_precision: float = Field(
        default=0.85,
        ge=0.5,
        le=1.0,
        description="Operating point: SUPPORTED (and REFUTED) only where that precision was reached on the "
        "calibration data; below it the verifier answers NOT_ENOUGH_INFO.",
    )
    verify_aggregator: Path | None = Field(
        default=None, description="A verifier.json (from `kg verifier fit`) replacing the one beside the NLI model."
    )
    nli_data: Path = Field(
        default=Path("../shared/data/nli"), description="Folder with fever/, snli/, citint/ for `kg nli`."
    )
    arxiv_api_url: str = Field(
        default="https://export.arxiv.org/api/query",
        description="arXiv export API; point it at a recorded-response server in tests or air-gapped installs.",
    )
    arxiv_batch_size: int = Field(default=100, ge=1, le=100, description="ids per request (id_list)")
    arxiv_page_size: int = Field(default=100, ge=1, le=2000, description="results per page of a request")
    arxiv_delay_seconds: float = Field(default=3.0, ge=0.0, description="pause between requests (API etiquette)")
    arxiv_retries: int = Field(default=3, ge=0, description="retries of a failed request")
    arxiv_backoff_seconds: float = Field(default=2.0, ge=0.0, description="first back-off; doubles per retry")
    arxiv_timeout_seconds: float = Field(default=30.0, gt=0.0, description="per-request timeout")

    api_token: SecretStr | None = Field(
        default=None, description="Bearer token required by the API's write routes (unset: writes are refused)."
    )
    api_protect_reads: bool = Field(default=False, description="Require the bearer token on read routes too.")
    api_cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS (JSON list).")
    api_max_page: int = Field(default=200, ge=1, le=10_000, description="Largest `limit` a list route accepts.")
    graphql_max_depth: int = Field(default=8, ge=1, description="Deepest GraphQL selection accepted.")
    graphql_max_aliases: int = Field(default=20, ge=1)
    graphql_max_tokens: int = Field(default=2_000, ge=10)
    graphql_max_cost: int = Field(
        default=50_000, ge=1, description="Complexity budget: fields weighted by the page sizes they multiply."
    )

    @field_validator("api_token", mode="before")
    @classmethod
    def _blank_token_is_no_token(cls, value: object) -> object:
        # `CLAIMGRAPH_API_TOKEN=` (docker compose's default) must disable writes, not accept an empty token.
        return None if isinstance(value, str) and not value.strip() else value

    def store_uri(self) -> str:
        return self.store or f"embedded://{self.data_dir}"
