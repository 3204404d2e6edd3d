"""Flask-Limiter, skipping a request that no limit counts before doing any of its own work: a
page view pays nothing for the sign-in form's limit, which counts only its posts. Which
limits apply to a route and method is Flask-Limiter's own answer, asked once for each."""

import flask_limiter
from flask import Response, current_app, request

_KNOWN = "puente.limited_routes"


def is_a_miss(response: Response) -> bool:
    """A limit's `deduct_when` for lookups by code: only a code that finds nothing counts, so
    guessing codes is slowed while checking real ones (a school with a stack of them) is not."""
    return response.status_code == 404


class Limiter(flask_limiter.Limiter):
    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True):
        if self.counts_this_request():
            super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def check_view_limits(self) -> None:
        """Check the limits of this request's view as its decorator would (raising
        RateLimitExceeded when one is used up), for a request answered before the view runs."""
        super()._check_request_limit(in_middleware=False)

    def counts_this_request(self, found: bool = False) -> bool:
        """Whether any limit counts this request (its route and method); `found`: answered
        with a page found, which limits counting only misses (`is_a_miss`) leave alone."""
        endpoint = request.endpoint
        if endpoint is None or current_app.config.get("RATELIMIT_META"):
            return True
        known = current_app.extensions.setdefault(_KNOWN, {})
        key = (endpoint, request.method, found)
        counts = known.get(key)
        if counts is None:
            counts = known[key] = self._limits_apply(endpoint, found)
        return counts

    def _limits_apply(self, endpoint: str, found: bool) -> bool:
        """Whether any limit (the route's, its blueprint's, the defaults, the application's)
        counts a request to `endpoint` with this request's method."""
        manager = self.limit_manager
        if manager.has_hints(endpoint):
            return True  # a limited callable other than the view: decided on each request
        defaults, decorated = manager.resolve_limits(current_app, endpoint, request.blueprint)
        limits = [*manager.application_limits, *defaults, *decorated]
        return any(
            (limit.exempt_when or not limit.method_exempt)
            and not (found and limit.deduct_when is is_a_miss)
            for limit in limits
        )
