"""Observability: JSON logs, request ids and request logs, Prometheus metrics."""
