"""Home routing by role and the health check."""
