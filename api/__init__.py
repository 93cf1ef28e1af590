"""HTTP API (FastAPI + GraphQL). Arrives with the query-API issue; nothing is exported yet."""

__all__: list[str] = []
