"""Sourcing: cache -> single flight -> last known good -> fallback, each answer with its provenance."""
