"""API test helpers: tokens and authenticated GETs."""

import json

from app.extensions import db
from app.users.models import User
from app.users.services import create_api_token


def token_for(user: User) -> str:
    """A fresh API token secret for `user`.

    Commits (a savepoint release in tests), as the CLI and profile page do, so that a
    request answering 4xx, which rolls back, keeps the token and the data made before it.
    """
    _record, secret = create_api_token(user, "test")
    db.session.commit()
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_get(client, path: str, user_or_token, **query):
    """GET `path` with a bearer token (made for a user, or given as a string)."""
    token = user_or_token if isinstance(user_or_token, str) else token_for(user_or_token)
    return client.get(path, headers=bearer(token), query_string=query)


def pagination(response) -> dict:
    return json.loads(response.headers["X-Pagination"])
