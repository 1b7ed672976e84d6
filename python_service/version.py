"""The service version, shown by /api/status and the OpenAPI document."""
__version__ = "0.1.0"
