"""The HTTP API: FastAPI routes for REST, strawberry for GraphQL, both over the service layer."""

from api.main import create_app

__all__ = ["create_app"]
