"""Settings read from the environment once, validated at start-up.

A bad value raises SettingsError naming the variable, so start-up stops with a
message an operator can act on. Secrets are kept but never shown (see `public()`).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from typing import Mapping, Optional
from urllib.parse import urlsplit

PRODUCTION_ROOTS = ("https://api.binance.com", "https://fapi.binance.com")
TESTNET_ROOTS = ("https://testnet.binance.vision", "https://testnet.binancefuture.com")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


class SettingsError(ValueError):
    """A setting has a value the service cannot run with."""


def load_env_file() -> None:
    """Reads `.env` in the working directory (or the file ENV_FILE names) into the
    environment; variables already set win."""
    from dotenv import load_dotenv

    load_dotenv(os.environ.get("ENV_FILE") or ".env", override=False)


@dataclass(frozen=True)
class Settings:
    base_url: str = PRODUCTION_ROOTS[0]
    futures_base_url: str = PRODUCTION_ROOTS[1]
    testnet: bool = False
    api_key: Optional[str] = field(default=None, repr=False)
    api_secret: Optional[str] = field(default=None, repr=False)
    proxy_url: Optional[str] = field(default=None, repr=False)
    timeout_s: float = 5.0
    max_attempts: int = 3
    cache_redis_url: Optional[str] = field(default=None, repr=False)
    fallback_data_dir: str = "fallback_data"
    internal_api_token: Optional[str] = field(default=None, repr=False)
    port: int = 5001
    restriction_cooldown_s: float = 60.0
    time_sync_interval_s: float = 300.0
    prices_ttl_s: float = 1.0
    ticker_ttl_s: float = 5.0
    trading_status_ttl_s: float = 30.0
    weight_budget_ratio: float = 0.8
    weight_limit_1m: int = 6000
    breaker_threshold: int = 3
    breaker_cooldown_s: float = 30.0
    last_known_good_dir: str = "var/last_known_good"
    klines_ttl_s: float = 5.0
    depth_ttl_s: float = 1.0
    trades_ttl_s: float = 1.0
    avg_price_ttl_s: float = 5.0
    exchange_info_ttl_s: float = 3600.0
    futures_ttl_s: float = 5.0
    funding_rate_ttl_s: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        testnet = _bool(env, "BINANCE_TESTNET", False)
        roots = TESTNET_ROOTS if testnet else PRODUCTION_ROOTS
        return cls(
            base_url=_url(env, "BINANCE_BASE_URL", roots[0]),
            futures_base_url=_url(env, "BINANCE_FUTURES_BASE_URL", roots[1]),
            testnet=testnet,
            api_key=_text(env, "BINANCE_API_KEY"),
            api_secret=_text(env, "BINANCE_API_SECRET"),
            proxy_url=_proxy(env, "BINANCE_PROXY_URL"),
            timeout_s=_number(env, "BINANCE_TIMEOUT_S", 5.0, minimum=0.001),
            max_attempts=int(_number(env, "BINANCE_MAX_ATTEMPTS", 3, minimum=1, integer=True)),
            cache_redis_url=_redis(env, "CACHE_REDIS_URL"),
            fallback_data_dir=_text(env, "FALLBACK_DATA_DIR") or "fallback_data",
            internal_api_token=_text(env, "INTERNAL_API_TOKEN"),
            port=int(_number(env, "GATEWAY_PORT", 5001, minimum=1, maximum=65535, integer=True)),
            restriction_cooldown_s=_number(env, "RESTRICTION_COOLDOWN_S", 60.0, minimum=0),
            time_sync_interval_s=_number(env, "TIME_SYNC_INTERVAL_S", 300.0, minimum=1),
            prices_ttl_s=_number(env, "PRICES_TTL_S", 1.0, minimum=0.05),
            ticker_ttl_s=_number(env, "TICKER_TTL_S", 5.0, minimum=0.05),
            trading_status_ttl_s=_number(env, "TRADING_STATUS_TTL_S", 30.0, minimum=0.05),
            weight_budget_ratio=_number(env, "WEIGHT_BUDGET_RATIO", 0.8, minimum=0.001, maximum=1),
            weight_limit_1m=int(_number(env, "WEIGHT_LIMIT_1M", 6000, minimum=1, integer=True)),
            breaker_threshold=int(_number(env, "BREAKER_THRESHOLD", 3, minimum=1, integer=True)),
            breaker_cooldown_s=_number(env, "BREAKER_COOLDOWN_S", 30.0, minimum=0),
            last_known_good_dir=_text(env, "LAST_KNOWN_GOOD_DIR") or "var/last_known_good",
            klines_ttl_s=_number(env, "KLINES_TTL_S", 5.0, minimum=0.05),
            depth_ttl_s=_number(env, "DEPTH_TTL_S", 1.0, minimum=0.05),
            trades_ttl_s=_number(env, "TRADES_TTL_S", 1.0, minimum=0.05),
            avg_price_ttl_s=_number(env, "AVG_PRICE_TTL_S", 5.0, minimum=0.05),
            exchange_info_ttl_s=_number(env, "EXCHANGE_INFO_TTL_S", 3600.0, minimum=0.05),
            futures_ttl_s=_number(env, "FUTURES_TTL_S", 5.0, minimum=0.05),
            funding_rate_ttl_s=_number(env, "FUNDING_RATE_TTL_S", 60.0, minimum=0.05),
        )

    @property
    def proxy_resolves_names(self) -> Optional[bool]:
        """True when the proxy resolves Binance's host name (socks5h://, and http(s) CONNECT proxies)."""
        if not self.proxy_url:
            return None
        return not self.proxy_url.lower().startswith("socks5://")

    @property
    def keys_configured(self) -> bool:
        return bool(self.api_key and self.api_secret)

    def public(self) -> dict:
        """The settings as they may be shown: secrets as booleans, proxy masked."""
        shown = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("api_key", "api_secret", "internal_api_token"):
                shown[f.name + "_configured"] = bool(value)
            elif f.name in ("proxy_url", "cache_redis_url"):
                shown[f.name] = mask_url(value)
            else:
                shown[f.name] = value
        return shown


def mask_url(url: Optional[str]) -> Optional[str]:
    """The URL with any password replaced by '***' (never raises, even on a bad URL)."""
    scheme, sep, rest = (url or "").partition("://")
    if not sep or "@" not in rest:
        return url
    userinfo, _, host = rest.rpartition("@")  # the last '@': passwords may hold a raw '@' or '/'
    user, colon, _ = userinfo.partition(":")
    return f"{scheme}://{user}:***@{host}" if colon else url


def _text(env, name) -> Optional[str]:
    value = env.get(name)
    return value.strip() if value and value.strip() else None


def _bool(env, name, default: bool) -> bool:
    value = _text(env, name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}")


def _number(env, name, default, minimum=None, maximum=None, integer=False) -> float:
    value = _text(env, name)
    if value is None:
        return default
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise SettingsError(f"{name} must be {kind}, not {value!r}") from None
    if not math.isfinite(number) or (minimum is not None and number < minimum) or \
            (maximum is not None and number > maximum):
        bounds = f">= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
        raise SettingsError(f"{name} must be {bounds}, not {value!r}")
    return number


def _url(env, name, default: str) -> str:
    value = _text(env, name)
    if value is None:
        return default
    parts = _split(name, value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name} must be an http:// or https:// URL, not {value!r}")
    if parts.query or parts.fragment:
        raise SettingsError(f"{name} must be a root URL without query or fragment")
    return value.rstrip("/")


def _proxy(env, name) -> Optional[str]:
    value = _text(env, name)
    if value is None:
        return None
    parts = _split(name, value)
    if parts.scheme not in PROXY_SCHEMES:
        raise SettingsError(f"{name} must use one of {', '.join(s + '://' for s in PROXY_SCHEMES)}; "
                            f"got {mask_url(value)!r}")
    if not parts.hostname or not parts.port:
        raise SettingsError(f"{name} must name a host and a port, e.g. socks5h://127.0.0.1:1080")
    return value


def _redis(env, name) -> Optional[str]:
    value = _text(env, name)
    if value is None:
        return None
    parts = _split(name, value)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise SettingsError(f"{name} must be a redis:// URL, got {mask_url(value)!r}")
    return value


def _split(name, value: str):
    """urlsplit that turns every parse failure into a SettingsError naming `name`."""
    try:
        parts = urlsplit(value)
        parts.port  # raises ValueError on a bad port
        return parts
    except ValueError:
        raise SettingsError(f"{name} is not a valid URL: {mask_url(value)!r}") from None
