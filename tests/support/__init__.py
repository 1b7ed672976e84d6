"""Helpers the tests and the benchmarks share: waiting, processes, a redis-server, proxies,
the fake exchange's credentials. No tests and no fixtures here (fixtures live in
tests/conftest.py); bench/ imports these modules as tests do."""
