"""One validated settings object, built once at start-up and passed down explicitly.

The fields are flat so that every one is a ``CLAIMGRAPH_<FIELD>`` environment variable; each part of
the system takes only its slice (:attr:`Settings.arxiv`, :attr:`Settings.graphql`, :attr:`Settings.neo4j`),
never the whole object. Neo4j's connection defaults and the hub's offline switch keep the names their
own tools use (``NEO4J_URI``…, ``HF_HUB_OFFLINE``) and are read here, not where they are used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.graph import VerifyScope

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Neo4jSettings(BaseSettings):
    """Neo4j connection defaults from ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``.

    A bolt:// store URI's own user, password and database win over these.
    """

    model_config = SettingsConfigDict(env_prefix="NEO4J_", extra="ignore")

    uri: str | None = None
    user: str = "neo4j"
    password: SecretStr = SecretStr("")
    database: str | None = None


class HubSettings(BaseSettings):
    """The Hugging Face hub switch that sentence-transformers and transformers honour themselves."""

    model_config = SettingsConfigDict(extra="ignore")

    hf_hub_offline: bool = False


def hub_offline() -> bool:
    """Is ``HF_HUB_OFFLINE`` set? (Model-loading errors say so, with what to do instead.)"""
    return HubSettings().hf_hub_offline


class ArxivSettings(BaseModel):
    """The arXiv client's slice of the settings."""

    model_config = ConfigDict(frozen=True)

    api_url: str
    batch_size: int
    page_size: int
    delay_seconds: float
    retries: int
    backoff_seconds: float
    timeout_seconds: float


class GraphQLLimits(BaseModel):
    """The GraphQL schema's slice: what one query may ask for."""

    model_config = ConfigDict(frozen=True)

    max_depth: int
    max_aliases: int
    max_tokens: int
    max_cost: int
    max_filter_terms: int
    max_seconds: float
    max_page: int


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
    ingest_group_size: int = Field(
        # 256 -> 1024: the 100k-report writer alone 363 -> 305 s, 88 -> 71 GB written (each commit rewrites pages
        # all over B-trees keyed by hashes; fewer commits rewrite fewer of them)
        default=1024,
        ge=1,
        le=10_000,
        description="Report files per write transaction (group commit).",
    )
    encode_ahead_from: int = Field(
        default=200,
        ge=0,
        description="From this many files, a second process embeds claims while the writer writes (0: never).",
    )
    encode_ahead_store_claims: int = Field(
        default=20_000,
        ge=0,
        description="Also into a store of this many claims, however few the files: the writer first indexes the "
        "store's claims (6 s at 296k), long enough to hide the second process's model load (0: never).",
    )
    nli_model: str = Field(
        default="claimgraph-nli-minilm-v2",
        description="NLI cross-encoder: a shipped model (claimgraph-nli-minilm-v2, claimgraph-nli-minilm), "
        "a hub id or a local path.",
    )
    nli_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="torch",
        description="NLI inference path: torch (bf16 where the CPU has it, else fp32; batch-invariant), ONNX "
        "Runtime fp32, or ONNX Runtime int8 (its per-batch activation scales make a pair's scores depend on its "
        "batch). See bench/results/nli_inference.md.",
    )
    verify_scope: VerifyScope = Field(
        default="cited", description="Evidence pool: papers linked to the claim's reports, or every paper."
    )
    verify_top_k: int = Field(default=5, ge=1, le=100, description="Evidence sentences kept per claim.")
    verify_min_precision: float | None = Field(
        default=None,
        ge=0.5,
        le=1.0,
        description="Operating point. Unset: the default, the best macro-F1 on calibration data. A number: "
        "SUPPORTED (and REFUTED) only where that precision was reached on calibration data (and checked on "
        "held-apart calibration claims); below it the verifier answers NOT_ENOUGH_INFO.",
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
    reviewer: str | None = Field(
        default=None,
        max_length=200,
        description="Who reviews: `kg review add` signs with it, and the API signs reviews written with the token.",
    )
    api_protect_reads: bool = Field(default=False, description="Require the bearer token on read routes too.")
    api_cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS (JSON list).")
    api_max_page: int = Field(default=200, ge=1, le=10_000, description="Largest `limit` a list route accepts.")
    api_max_body_bytes: int = Field(
        default=20_000_000, ge=1_000, description="Largest request body (report uploads included); larger is a 413."
    )
    graphql_max_depth: int = Field(default=8, ge=1, description="Deepest GraphQL selection accepted.")
    graphql_max_aliases: int = Field(default=20, ge=1)
    graphql_max_tokens: int = Field(default=2_000, ge=10)
    graphql_max_cost: int = Field(
        default=50_000, ge=1, description="Complexity budget: fields weighted by the page sizes they multiply."
    )
    graphql_max_filter_terms: int = Field(
        default=16, ge=1, description="Most filter terms (a `where` and each AND/OR entry) in one claims query."
    )
    graphql_max_seconds: float = Field(
        default=10.0, gt=0.0, description="Time budget of one GraphQL request; past it, no more fields resolve."
    )

    @field_validator("api_token", mode="before")
    @classmethod
    def _blank_token_is_no_token(cls, value: object) -> object:
        # `CLAIMGRAPH_API_TOKEN=` (docker compose's default) must disable writes, not accept an empty token.
        return None if isinstance(value, str) and not value.strip() else value

    neo4j: Neo4jSettings = Field(
        default_factory=Neo4jSettings, description="Neo4j connection defaults (NEO4J_* environment variables)."
    )

    def store_uri(self) -> str:
        return self.store or f"embedded://{self.data_dir}"

    @property
    def arxiv(self) -> ArxivSettings:
        prefix = "arxiv_"
        return ArxivSettings(**{name[len(prefix) :]: getattr(self, name) for name in _fields(prefix)})

    @property
    def graphql(self) -> GraphQLLimits:
        values = {name.removeprefix("graphql_"): getattr(self, name) for name in _fields("graphql_")}
        return GraphQLLimits(**values, max_page=self.api_max_page)


def _fields(prefix: str) -> list[str]:
    return [name for name in Settings.model_fields if name.startswith(prefix)]
