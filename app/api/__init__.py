"""JSON API under /api/v1 with token authentication and an OpenAPI document."""
