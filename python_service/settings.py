"""Every setting, written once: its environment name, default and bounds.

Settings are read from the environment once and validated at start-up. A bad
value raises SettingsError naming the variable, so start-up stops with a
message an operator can act on. Secrets are kept but never shown (`public()`).
"""
from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

PRODUCTION_ROOTS = {"base_url": "https://api.binance.com", "futures_base_url": "https://fapi.binance.com",
                    "ws_url": "wss://stream.binance.com:9443", "futures_ws_url": "wss://fstream.binance.com",
                    "ws_api_url": "wss://ws-api.binance.com:443/ws-api/v3"}
TESTNET_ROOTS = {"base_url": "https://testnet.binance.vision", "futures_base_url": "https://testnet.binancefuture.com",
                 "ws_url": "wss://stream.testnet.binance.vision", "futures_ws_url": "wss://fstream.binancefuture.com",
                 "ws_api_url": "wss://ws-api.testnet.binance.vision/ws-api/v3"}
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


class SettingsError(ValueError):
    """A setting has a value the service cannot run with."""


def load_env_file() -> None:
    """Reads `.env` in the working directory (or the file ENV_FILE names) into the
    environment; variables already set win."""
    from dotenv import load_dotenv

    load_dotenv(os.environ.get("ENV_FILE") or ".env", override=False)


# ----- parsers: (variable name, raw text) -> value, or SettingsError naming the variable -----

def text(name: str, value: str) -> str:
    return value


def boolean(name: str, value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}")


def number(minimum: float | None = None, maximum: float | None = None, integer: bool = False) -> Callable:
    def parse(name: str, value: str):
        try:
            parsed = int(value) if integer else float(value)
        except ValueError:
            raise SettingsError(f"{name} must be {'an integer' if integer else 'a number'}, not {value!r}") from None
        if not math.isfinite(parsed) or (minimum is not None and parsed < minimum) or \
                (maximum is not None and parsed > maximum):
            bounds = f">= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
            raise SettingsError(f"{name} must be {bounds}, not {value!r}")
        return parsed
    return parse


def one_of(*allowed: str) -> Callable:
    def parse(name: str, value: str) -> str:
        if value not in allowed:
            raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        return value
    return parse


def positive_decimal(name: str, value: str) -> Decimal:
    try:
        parsed = Decimal(value)
    except ArithmeticError:
        raise SettingsError(f"{name} must be a decimal number, not {value!r}") from None
    if not parsed.is_finite() or parsed <= 0:
        raise SettingsError(f"{name} must be a positive number, not {value!r}")
    return parsed


def symbol_list(name: str, value: str) -> tuple:
    """Comma-separated symbols (Binance's rule: letters and digits of any script, - _ .), upper-cased."""
    symbols = tuple(unicodedata.normalize("NFC", item.strip()).upper() for item in value.split(",") if item.strip())
    bad = [s for s in symbols if not re.fullmatch(r"[\w.-]{1,50}", s)]
    if bad or not symbols:
        raise SettingsError(f"{name} must be comma-separated symbols such as BTCUSDT,ETHUSDT, not {value!r}")
    return symbols


def address_list(name: str, value: str) -> tuple:
    """Comma-separated IP addresses or networks (10.0.0.0/8), normalised."""
    import ipaddress

    try:
        return tuple(str(ipaddress.ip_network(item.strip(), strict=False)) for item in value.split(",") if item.strip())
    except ValueError:
        raise SettingsError(f"{name} must be comma-separated IP addresses or networks, not {value!r}") from None


def root_url(name: str, value: str) -> str:
    parts = _split(name, value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name} must be an http:// or https:// URL, not {value!r}")
    if parts.query or parts.fragment:
        raise SettingsError(f"{name} must be a root URL without query or fragment")
    return value.rstrip("/")


def ws_root_url(name: str, value: str) -> str:
    parts = _split(name, value)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise SettingsError(f"{name} must be a ws:// or wss:// URL, not {value!r}")
    if parts.query or parts.fragment:
        raise SettingsError(f"{name} must be a root URL without query or fragment")
    return value.rstrip("/")


def proxy_url(name: str, value: str) -> str:
    parts = _split(name, value)
    if parts.scheme not in PROXY_SCHEMES:
        raise SettingsError(f"{name} must use one of {', '.join(s + '://' for s in PROXY_SCHEMES)}; "
                            f"got {mask_url(value)!r}")
    if not parts.hostname or not parts.port:
        raise SettingsError(f"{name} must name a host and a port, e.g. socks5h://127.0.0.1:1080")
    return value


def redis_url(name: str, value: str) -> str:
    parts = _split(name, value)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise SettingsError(f"{name} must be a redis:// URL, got {mask_url(value)!r}")
    return value


# C0 and C1 controls (line breaks, tab, escape, DEL, NEL...) and the Unicode line and paragraph
# separators: urlsplit silently drops some of them, and an env file reader splits lines at others.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def refuse_control_characters(name: str, value: str) -> str:
    """`value`, or SettingsError naming `name` (never showing the value: it may hold a password)."""
    if CONTROL_CHARACTERS.search(value):
        raise SettingsError(f"{name} must not contain control characters (a line break, tab...)")
    return value


def _split(name, value: str):
    """urlsplit that turns every parse failure into a SettingsError naming `name`; a URL with a
    control character is refused (urlsplit would drop a tab or line break inside it)."""
    refuse_control_characters(name, value)
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError on a bad port
        return parts
    except ValueError:
        raise SettingsError(f"{name} is not a valid URL: {mask_url(value)!r}") from None


def setting(env: str, default: Any, parse: Callable = text, secret: bool = False):
    """A settings field: read from `env`, `parse`d, `default` when unset or blank."""
    return field(default=default, repr=not secret, metadata={"env": env, "parse": parse, "secret": secret})


POSITIVE_TTL = number(minimum=0.05)


@dataclass(frozen=True)
class Settings:
    testnet: bool = setting("BINANCE_TESTNET", False, boolean)
    base_url: str = setting("BINANCE_BASE_URL", PRODUCTION_ROOTS["base_url"], root_url)
    futures_base_url: str = setting("BINANCE_FUTURES_BASE_URL", PRODUCTION_ROOTS["futures_base_url"], root_url)
    ws_url: str = setting("BINANCE_WS_URL", PRODUCTION_ROOTS["ws_url"], ws_root_url)
    futures_ws_url: str = setting("BINANCE_FUTURES_WS_URL", PRODUCTION_ROOTS["futures_ws_url"], ws_root_url)
    # Binance's WebSocket API: the spot account's user data (userDataStream.subscribe.signature)
    ws_api_url: str = setting("BINANCE_WS_API_URL", PRODUCTION_ROOTS["ws_api_url"], ws_root_url)
    streams_enabled: bool = setting("STREAMS_ENABLED", True, boolean)
    stream_silence_s: float = setting("STREAM_SILENCE_S", 5.0, number(minimum=0.1))  # silent longer: REST
    stream_idle_s: float = setting("STREAM_IDLE_S", 120.0, number(minimum=1))  # unsubscribe after no interest
    stream_max_age_s: float = setting("STREAM_MAX_AGE_S", 23.5 * 3600, number(minimum=1, maximum=24 * 3600))
    # websocket connection attempts to Binance per 5 minutes for the whole deployment (Binance: 300 per IP)
    stream_attempts_5m: int = setting("STREAM_ATTEMPTS_5M", 240, number(minimum=1, maximum=300, integer=True))
    # the stream mirror: bytes one bot's connection may have waiting before it is closed for falling behind
    stream_mirror_queue_bytes: int = setting("STREAM_MIRROR_QUEUE_BYTES", 4 * 2**20,
                                             number(minimum=65536, maximum=256 * 2**20, integer=True))
    # bots' user data through the stream mirror: a gateway listenKey lives this long without a keepalive
    listen_key_ttl_s: float = setting("LISTEN_KEY_TTL_S", 3600.0, number(minimum=1, maximum=24 * 3600))
    api_key: str | None = setting("BINANCE_API_KEY", None, secret=True)
    api_secret: str | None = setting("BINANCE_API_SECRET", None, secret=True)
    proxy_url: str | None = setting("BINANCE_PROXY_URL", None, proxy_url, secret=True)
    timeout_s: float = setting("BINANCE_TIMEOUT_S", 5.0, number(minimum=0.001))
    max_attempts: int = setting("BINANCE_MAX_ATTEMPTS", 3, number(minimum=1, integer=True))
    cache_redis_url: str | None = setting("CACHE_REDIS_URL", None, redis_url, secret=True)
    fallback_data_dir: str = setting("FALLBACK_DATA_DIR", "fallback_data")
    internal_api_token: str | None = setting("INTERNAL_API_TOKEN", None, secret=True)
    port: int = setting("GATEWAY_PORT", 5001, number(minimum=1, maximum=65535, integer=True))
    bind_host: str = setting("GATEWAY_BIND_HOST", "127.0.0.1")
    # 0: one per CPU, or 4 with Redis
    workers: int = setting("GUNICORN_WORKERS", 0, number(minimum=0, maximum=64, integer=True))
    threads: int = setting("GUNICORN_THREADS", 8, number(minimum=1, maximum=256, integer=True))  # gthread only
    # gevent: a greenlet per connection, so slow clients and a slow Binance wait without holding a thread
    worker_class: str = setting("GUNICORN_WORKER_CLASS", "gevent", one_of("gevent", "gthread"))
    worker_connections: int = setting("GUNICORN_WORKER_CONNECTIONS", 1000,
                                      number(minimum=1, maximum=100000, integer=True))  # gevent only
    restriction_cooldown_s: float = setting("RESTRICTION_COOLDOWN_S", 60.0, number(minimum=0))
    time_sync_interval_s: float = setting("TIME_SYNC_INTERVAL_S", 300.0, number(minimum=1))
    weight_budget_ratio: float = setting("WEIGHT_BUDGET_RATIO", 0.8, number(minimum=0.001, maximum=1))
    weight_limit_1m: int = setting("WEIGHT_LIMIT_1M", 6000, number(minimum=1, integer=True))
    futures_weight_limit_1m: int = setting("FUTURES_WEIGHT_LIMIT_1M", 2400, number(minimum=1, integer=True))
    # Each client (by address) may spend this share of the minute's weight ceiling; prices and
    # tickers keep PRICE_RESERVE_RATIO of it that nothing else may spend.
    client_weight_share: float = setting("CLIENT_WEIGHT_SHARE", 0.25, number(minimum=0.001, maximum=1))
    price_reserve_ratio: float = setting("PRICE_RESERVE_RATIO", 0.2, number(minimum=0, maximum=0.9))
    # Bytes of answers each client may be sent per second (bursts of 4 s; every answer counts at
    # least 10 kB): a client pulling big candle or book answers in a loop is slowed, not everyone.
    client_bytes_per_s: int = setting("CLIENT_BYTES_PER_S", 200_000, number(minimum=10_000, integer=True))
    # Peers whose X-Forwarded-For names the client (express_api runs on this host).
    trusted_proxies: tuple = setting("TRUSTED_PROXIES", address_list("TRUSTED_PROXIES", "127.0.0.1,::1"),
                                    address_list)
    connection_status_ttl_s: float = setting("CONNECTION_STATUS_TTL_S", 5.0, POSITIVE_TTL)
    breaker_threshold: int = setting("BREAKER_THRESHOLD", 3, number(minimum=1, integer=True))
    breaker_cooldown_s: float = setting("BREAKER_COOLDOWN_S", 30.0, number(minimum=0))
    firewall_backoff_s: float = setting("FIREWALL_BACKOFF_S", 300.0, number(minimum=0))  # 403 without Retry-After
    # after a Redis failure, process memory (and the host store) only for this long
    redis_retry_s: float = setting("REDIS_RETRY_S", 5.0, number(minimum=0))
    last_known_good_dir: str = setting("LAST_KNOWN_GOOD_DIR", "var/last_known_good")
    prices_ttl_s: float = setting("PRICES_TTL_S", 1.0, POSITIVE_TTL)
    ticker_ttl_s: float = setting("TICKER_TTL_S", 5.0, POSITIVE_TTL)
    trading_status_ttl_s: float = setting("TRADING_STATUS_TTL_S", 30.0, POSITIVE_TTL)
    klines_ttl_s: float = setting("KLINES_TTL_S", 5.0, POSITIVE_TTL)
    depth_ttl_s: float = setting("DEPTH_TTL_S", 1.0, POSITIVE_TTL)
    trades_ttl_s: float = setting("TRADES_TTL_S", 1.0, POSITIVE_TTL)
    avg_price_ttl_s: float = setting("AVG_PRICE_TTL_S", 5.0, POSITIVE_TTL)
    exchange_info_ttl_s: float = setting("EXCHANGE_INFO_TTL_S", 3600.0, POSITIVE_TTL)
    futures_ttl_s: float = setting("FUTURES_TTL_S", 5.0, POSITIVE_TTL)
    funding_rate_ttl_s: float = setting("FUNDING_RATE_TTL_S", 60.0, POSITIVE_TTL)
    metrics_dir: str | None = setting("PROMETHEUS_MULTIPROC_DIR", None)
    # The store this host's workers share (state, budget, single flight, cache, stream lease; with
    # Redis, the host's copy of bans): gunicorn.conf.py makes a fresh directory per start when unset.
    host_store_dir: str | None = setting("HOST_STORE_DIR", None)
    trading_enabled: bool = setting("TRADING_ENABLED", False, boolean)
    order_journal_path: str = setting("ORDER_JOURNAL_PATH", "var/orders.sqlite3")
    # Risk ceilings (unset: no limit); an admin may tighten them at run time, never loosen them.
    risk_max_order_notional: Decimal | None = setting("RISK_MAX_ORDER_NOTIONAL", None, positive_decimal)
    risk_max_orders_per_min: int | None = setting("RISK_MAX_ORDERS_PER_MIN", None,
                                                     number(minimum=1, maximum=100000, integer=True))
    risk_allowed_symbols: tuple | None = setting("RISK_ALLOWED_SYMBOLS", None, symbol_list)
    risk_max_leverage: int | None = setting("RISK_MAX_LEVERAGE", None, number(minimum=1, maximum=125, integer=True))
    trading_halted: bool = setting("TRADING_HALTED", False, boolean)
    risk_state_path: str = setting("RISK_STATE_PATH", "var/risk_limits.json")  # the admin's tighter limits
    audit_log_path: str = setting("AUDIT_LOG_PATH", "var/audit.sqlite3")  # append-only
    account_ttl_s: float = setting("ACCOUNT_TTL_S", 5.0, POSITIVE_TTL)  # balances and fills over REST
    # the Binance-compatible mirror: how old market data past its TTL may be when Binance fails
    mirror_max_stale_s: float = setting("MIRROR_MAX_STALE_S", 0.0, number(minimum=0))
    mirror_exchange_info_max_stale_s: float = setting("MIRROR_EXCHANGE_INFO_MAX_STALE_S", 86400.0, number(minimum=0))
    # Market data each worker keeps in memory, in serialized bytes: the embedded cache and the
    # last good copies each hold at most this much (an entry over a quarter of it is not kept).
    cache_max_bytes: int = setting("CACHE_MAX_BYTES", 16 * 1024 * 1024, number(minimum=65536, integer=True))
    # A request body past this is refused with 413 before it is read (Flask's MAX_CONTENT_LENGTH).
    max_body_bytes: int = setting("MAX_BODY_BYTES", 16384, number(minimum=1024, maximum=10 * 1024 * 1024,
                                                                  integer=True))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        values = {}
        for f in fields(cls):
            name, raw = f.metadata["env"], env.get(f.metadata["env"])
            raw = raw.strip() if isinstance(raw, str) else None
            values[f.name] = f.metadata["parse"](name, raw) if raw else f.default
        if values["testnet"]:  # a root set explicitly still wins
            for key, root in TESTNET_ROOTS.items():
                if not (env.get(cls.env_name(key)) or "").strip():
                    values[key] = root
        return cls(**values)

    @classmethod
    def env_name(cls, field_name: str) -> str:
        return next(f.metadata["env"] for f in fields(cls) if f.name == field_name)

    @property
    def proxy_resolves_names(self) -> bool | None:
        """True when the proxy resolves Binance's host name (socks5h://, and http(s) CONNECT proxies)."""
        if not self.proxy_url:
            return None
        return not self.proxy_url.lower().startswith("socks5://")

    @property
    def keys_configured(self) -> bool:
        return bool(self.api_key and self.api_secret)

    def gunicorn_workers(self) -> int:
        """One worker per CPU without Redis (they share the host store); 4 with Redis."""
        return self.workers or (4 if self.cache_redis_url else cpu_count())

    def public(self) -> dict:
        """The settings as they may be shown: secrets as booleans, URLs masked."""
        shown = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata["secret"] and f.metadata["parse"] is text:
                shown[f.name + "_configured"] = bool(value)
            elif f.metadata["secret"]:
                shown[f.name] = mask_url(value)
            else:
                shown[f.name] = value
        return shown


def cpu_count() -> int:
    """CPUs this process may run on (a container's or taskset's share, not the whole machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# From a "://" to the last '@' on its line: a password may hold spaces, '@', '/', '#'..., so nothing
# shorter is sure to cover it (the price: more is masked when another '@' follows on the line).
_USERINFO = re.compile(r"://[^\r\n]*@")


def mask_urls_in(text: str) -> str:
    """`text` (an error message, say) with the userinfo of every URL in it masked: libraries
    such as websockets put the whole proxy URL into their exceptions."""
    return _USERINFO.sub("://***@", text)


def mask_url(url: str | None) -> str | None:
    """The URL with its whole userinfo (user name and password) replaced by '***'.
    Many proxy providers put the key in the user name, so neither part is shown.
    Never raises, even on a bad URL."""
    scheme, sep, rest = (url or "").partition("://")
    if not sep or "@" not in rest:
        return url
    _, _, host = rest.rpartition("@")  # the last '@': passwords may hold a raw '@' or '/'
    return f"{scheme}://***@{host}"
