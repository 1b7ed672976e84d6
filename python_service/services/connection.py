"""An active probe of Binance: ping for reachability and latency, time for clock offset."""
from __future__ import annotations

from ..sourcing.provenance import iso_utc
from ..upstream import HeldBack, UpstreamError
from ..upstream.errors import OverClientShare

PROBE_KEY = "connection-status"


def cached_probe(provider, upstream, clock, ttl_s: float) -> dict:
    """The probe, shared for `ttl_s` (it costs weight 2): a client asking again and again
    spends nothing more. A client over its share of the weight gets the last report."""
    return provider.get(PROBE_KEY, ttl_s, lambda: probe(upstream, clock)).data


def probe(upstream, clock) -> dict:
    report = {
        **upstream.describe(),
        "reachable": False,
        "restricted": False,
        "restriction_message": None,
        "http_status": None,
        "latency_ms": None,
        "server_time_offset_ms": None,
        "probed": True,
        "checked_at": iso_utc(clock()),
        "last_error": None,
    }
    try:
        report["latency_ms"] = round(upstream.ping(), 1)
        report["server_time_offset_ms"] = round(upstream.server_time_offset_ms(), 1)
        report.update(reachable=True, http_status=200)
    except OverClientShare:
        raise  # this client's limit, not Binance's state: not a report to share with everyone
    except HeldBack as held:
        # Binance must not be called now (ban, restriction or breaker cool-down): report what we know.
        report.update(probed=False, not_probed_because=held.message, retry_after_s=round(held.retry_after or 0, 3))
    except UpstreamError as err:
        # an HTTP answer of any status (451 included) means Binance was reached
        report.update(http_status=err.status, reachable=err.status is not None,
                      last_error={"message": err.message, "status": err.status, "code": err.code})
    return _with_known_state(report, upstream.state.snapshot())


def _with_known_state(report: dict, state: dict) -> dict:
    report["state"] = state["state"]
    if report["last_error"] is None and not report["reachable"] and state["last_error"]:
        known = state["last_error"]
        report["last_error"] = {**known, "at": iso_utc(known["at"])}
        report["http_status"] = known["status"]
        report["reachable"] = known["status"] is not None
    if state["state"] == "restricted":
        report.update(restricted=True, restriction_message=state["message"])
    return report
