"""Flask-Limiter, skipping a request that no limit counts before doing any of its own work: a
page view pays nothing for the sign-in form's limit, which counts only its posts. Which
limits apply to a route and method is Flask-Limiter's own answer, asked once for each."""

import flask_limiter
from flask import current_app, request

_KNOWN = "puente.limited_routes"


class Limiter(flask_limiter.Limiter):
    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True):
        if self.counts_this_request():
            super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def counts_this_request(self) -> bool:
        """Whether any limit counts this request (its route and method)."""
        endpoint = request.endpoint
        if endpoint is None or current_app.config.get("RATELIMIT_META"):
            return True
        known = current_app.extensions.setdefault(_KNOWN, {})
        key = (endpoint, request.method)
        counts = known.get(key)
        if counts is None:
            counts = known[key] = self._limits_apply(endpoint)
        return counts

    def _limits_apply(self, endpoint: str) -> bool:
        """Whether any limit (the route's, its blueprint's, the defaults, the application's)
        counts a request to `endpoint` with this request's method."""
        manager = self.limit_manager
        if manager.has_hints(endpoint):
            return True  # a limited callable other than the view: decided on each request
        defaults, decorated = manager.resolve_limits(current_app, endpoint, request.blueprint)
        limits = [*manager.application_limits, *defaults, *decorated]
        return any(limit.exempt_when or not limit.method_exempt for limit in limits)
