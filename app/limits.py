"""Flask-Limiter, skipping a check that no limit would count before doing any of its own work:
a page view pays nothing for the sign-in form's limit, which counts only its posts, and a
route limited by its decorator pays nothing in the check before it (the decorator's is the
one that counts). Which limits apply is Flask-Limiter's own answer, asked once a route."""

import flask_limiter
from flask import Response, current_app, request
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_qualified_name

_KNOWN = "puente.limited_routes"


def is_a_miss(response: Response) -> bool:
    """A limit's `deduct_when` for lookups by code: only a code that finds nothing counts, so
    guessing codes is slowed while checking real ones (a school with a stack of them) is not."""
    return response.status_code == 404


class Limiter(flask_limiter.Limiter):
    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True):
        if self._counts(in_middleware=in_middleware):
            super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def within_view_limits(self) -> bool:
        """Whether this request is within its view's limits, checked as its decorator would,
        for a request to be answered before the view runs. One over them is left to the view,
        which refuses it as it always does (in the visitor's language, with its headers)."""
        try:
            super()._check_request_limit(in_middleware=False)
        except RateLimitExceeded:
            return False
        return True

    def counts_this_request(self, found: bool = False) -> bool:
        """Whether any limit of this request's view counts it (its route and method); `found`:
        answered with a page found, which limits counting only misses (`is_a_miss`) leave
        alone."""
        return self._counts(in_middleware=False, found=found)

    def _counts(self, in_middleware: bool, found: bool = False) -> bool:
        endpoint = request.endpoint
        if endpoint is None or current_app.config.get("RATELIMIT_META"):
            return True
        known = current_app.extensions.setdefault(_KNOWN, {})
        key = (endpoint, request.method, in_middleware, found)
        counts = known.get(key)
        if counts is None:
            counts = known[key] = self._limits_apply(endpoint, in_middleware, found)
        return counts

    def _limits_apply(self, endpoint: str, in_middleware: bool, found: bool) -> bool:
        """Whether any limit the check before the view (`in_middleware`) or the view's own
        would evaluate counts a request to `endpoint` with this request's method."""
        manager = self.limit_manager
        if manager.has_hints(endpoint):
            return True  # a limited callable other than the view: decided on each request
        view = current_app.view_functions.get(endpoint)
        name = get_qualified_name(view) if view else ""
        defaults, decorated = manager.resolve_limits(
            current_app,
            endpoint,
            request.blueprint,
            name,
            in_middleware,
            name in self._marked_for_limiting,
        )
        return any(
            (limit.exempt_when or not limit.method_exempt)
            and not (found and limit.deduct_when is is_a_miss)
            for limit in (*defaults, *decorated)
        )
