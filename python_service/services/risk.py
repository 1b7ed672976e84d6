"""Risk limits: every order that leaves python_service, from its own order routes and from
bots' signed order POSTs through the mirror, is checked first against the limits in force,
and refused without reaching Binance when it breaks one.

The settings (RISK_*, TRADING_HALTED) are ceilings. An admin may tighten them at run time,
never loosen them: the tighter limits are shared by every worker and host (the store) and
kept across restarts (RISK_STATE_PATH). Unset means no limit. A limit that cannot be
checked (the price of a MARKET order unknown while Binance is away) refuses: it fails
closed."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

from ..errors import ApiError, RiskRefused
from ..sourcing.files import write_json_atomically
from ..stores.flight import SingleFlightTimeout
from ..upstream import Market, UpstreamError

log = logging.getLogger(__name__)
STORE_KEY = "risk:admin_limits"
PLACEMENTS_KEY = "risk:placements"
WINDOW_S = 60.0
PRICED = ("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT", "STOP", "TAKE_PROFIT")  # at `price`
STOPPED = ("STOP_LOSS", "TAKE_PROFIT", "STOP_MARKET", "TAKE_PROFIT_MARKET")  # at `stopPrice` (else the market)


@dataclass(frozen=True)
class Limits:
    max_order_notional: Decimal | None = None
    max_orders_per_min: int | None = None
    allowed_symbols: frozenset | None = None  # None: every symbol
    max_leverage: int | None = None
    trading_halted: bool = False

    @classmethod
    def from_settings(cls, settings) -> Limits:
        symbols = settings.risk_allowed_symbols
        return cls(settings.risk_max_order_notional, settings.risk_max_orders_per_min,
                   frozenset(symbols) if symbols is not None else None, settings.risk_max_leverage,
                   settings.trading_halted)

    @classmethod
    def from_kept(cls, kept: dict) -> Limits:
        """Limits as `to_json` wrote them (checked when they were set)."""
        def number(name, kind):
            return None if kept.get(name) is None else kind(kept[name])
        symbols = kept.get("allowed_symbols")
        return cls(number("max_order_notional", Decimal), number("max_orders_per_min", int),
                   frozenset(symbols) if symbols is not None else None, number("max_leverage", int),
                   bool(kept.get("trading_halted")))

    def to_json(self) -> dict:
        return {name: _shown(value) for name, value in asdict(self).items()}

    def tightest(self, other: Limits) -> Limits:
        """Each limit at the tighter of the two (a symbol allowed only when both allow it)."""
        def lower(a, b):
            return b if a is None else a if b is None else min(a, b)
        symbols = self.allowed_symbols if other.allowed_symbols is None else \
            other.allowed_symbols if self.allowed_symbols is None else self.allowed_symbols & other.allowed_symbols
        return Limits(lower(self.max_order_notional, other.max_order_notional),
                      lower(self.max_orders_per_min, other.max_orders_per_min), symbols,
                      lower(self.max_leverage, other.max_leverage), self.trading_halted or other.trading_halted)

    def looser_than(self, ceiling: Limits) -> list[str]:
        """The limits `self` sets that `ceiling` would not allow: a higher number, or a symbol it does
        not allow. A limit left unset (or no halt) asks for nothing looser: the ceiling stays in force."""
        looser = [name for name in ("max_order_notional", "max_orders_per_min", "max_leverage")
                  if getattr(self, name) is not None and getattr(ceiling, name) is not None
                  and getattr(self, name) > getattr(ceiling, name)]
        if self.allowed_symbols is not None and ceiling.allowed_symbols is not None \
                and not self.allowed_symbols <= ceiling.allowed_symbols:
            looser.append("allowed_symbols")
        return looser


class Risk:
    def __init__(self, settings, store, prices: Prices, audit, clock: Callable[[], float]):
        self.settings, self.store, self.prices, self.audit, self.clock = settings, store, prices, audit, clock
        self.ceilings = Limits.from_settings(settings)

    # ----- the limits in force -----
    def admin_limits(self) -> Limits | None:
        """The admin's tighter limits: shared through the store; after a restart, from RISK_STATE_PATH."""
        kept = self.store.get(STORE_KEY)
        if kept is None:
            kept = _read(self.settings.risk_state_path)
            if kept is not None:
                self.store.add(STORE_KEY, kept)
        return Limits.from_kept(kept["limits"]) if kept else None

    def in_force(self) -> Limits:
        admin = self.admin_limits()
        return self.ceilings if admin is None else self.ceilings.tightest(admin)

    def describe(self) -> dict:
        kept = self.store.get(STORE_KEY) or _read(self.settings.risk_state_path) or {}
        return {"in_force": self.in_force().to_json(), "ceilings": self.ceilings.to_json(),
                "admin": kept.get("limits"), "updated_at": kept.get("updated_at"), "updated_by": kept.get("updated_by")}

    def tighten(self, requested: dict, actor: str) -> dict:
        """An admin's limits (Limits' fields): refused (400 looser_than_ceiling) where the settings
        allow less. Audited either way."""
        limits = Limits(**requested)
        looser = limits.looser_than(self.ceilings)
        if looser:
            self.audit.append(actor, "risk.set", decision="refused: looser_than_ceiling",
                              detail={"requested": limits.to_json(), "looser": looser})
            raise ApiError(400, "looser_than_ceiling",
                           f"the settings allow no more than this for {', '.join(looser)}; an admin may only "
                           "tighten them", details={"limits": looser, "ceilings": self.ceilings.to_json()})
        kept = {"limits": limits.to_json(), "updated_at": self.clock(), "updated_by": actor}
        write_json_atomically(Path(self.settings.risk_state_path), kept)
        self.store.set(STORE_KEY, kept)
        self.audit.append(actor, "risk.set", decision="allowed", detail=kept["limits"])
        return self.describe()

    # ----- the checks -----
    def check_order(self, market: str, order: dict, count: bool = True) -> None:
        """Raises RiskRefused when `order` breaks a limit; `count`: a placement (not a test order)
        that takes one of the minute's places."""
        limits = self.in_force()
        if limits.trading_halted:
            raise RiskRefused("trading_halted", True, "trading is halted by the risk limits: no order is placed")
        symbol = order["symbol"]
        if limits.allowed_symbols is not None and symbol not in limits.allowed_symbols:
            raise RiskRefused("allowed_symbols", sorted(limits.allowed_symbols),
                              f"{symbol} is not among the symbols the risk limits allow")
        if limits.max_order_notional is not None and not _reduces_only(order):
            value = self.notional_usdt(market, order)
            if value > limits.max_order_notional:
                raise RiskRefused("max_order_notional", _usdt(limits.max_order_notional),
                                  f"the order is worth {_usdt(value)} USDT, over the limit of "
                                  f"{_usdt(limits.max_order_notional)} USDT")
        if count and limits.max_orders_per_min is not None:
            self._take_a_place(limits.max_orders_per_min)

    def check_leverage(self, symbol: str, leverage: int) -> None:
        limits = self.in_force()
        if limits.allowed_symbols is not None and symbol not in limits.allowed_symbols:
            raise RiskRefused("allowed_symbols", sorted(limits.allowed_symbols),
                              f"{symbol} is not among the symbols the risk limits allow")
        if limits.max_leverage is not None and leverage > limits.max_leverage:
            raise RiskRefused("max_leverage", limits.max_leverage,
                              f"leverage {leverage} is over the limit of {limits.max_leverage}")

    def notional_usdt(self, market: str, order: dict) -> Decimal:
        """price x quantity (MARKET at the current price, quoteOrderQty as given), in USDT. Only a
        current price counts (live, streamed or cached): a stale or shipped one could be far off."""
        try:
            if order.get("quoteOrderQty") is not None:
                in_quote = Decimal(order["quoteOrderQty"])
            else:
                in_quote = self._price_of(market, order) * Decimal(order["quantity"])
            return in_quote * _current(*self.prices.usdt_rate(self.prices.quote_asset(market, order["symbol"])))
        except (ArithmeticError, TypeError, KeyError, ValueError, ApiError, UpstreamError, SingleFlightTimeout) as err:
            log.info("order value unknown (%s): refused", type(err).__name__)
            raise RiskRefused("max_order_notional", _shown(self.in_force().max_order_notional),
                              "the order's value in USDT cannot be known now (no price for it): "
                              "the notional limit refuses it") from None

    def _price_of(self, market: str, order: dict) -> Decimal:
        kind = order.get("type")
        if kind in PRICED and order.get("price") is not None:
            return Decimal(order["price"])
        if kind in STOPPED and order.get("stopPrice") is not None:
            return Decimal(order["stopPrice"])
        return _current(*self.prices.current_sourced(market, order["symbol"]))

    def _take_a_place(self, per_minute: int) -> None:
        """One of the minute's placements for the whole account, atomically in the shared store."""
        now, granted = self.clock(), []

        def take(times):
            recent = [t for t in (times or []) if now - t < WINDOW_S]
            granted[:] = [len(recent) < per_minute]
            return recent + [now] if granted[0] else recent
        self.store.update(PLACEMENTS_KEY, take, ttl=2 * WINDOW_S)
        if not granted[0]:
            raise RiskRefused("max_orders_per_min", per_minute,
                              f"the account has placed {per_minute} orders in the last minute, the limit")


class Prices:
    """Current prices (spot's price, futures' mark price) with where each came from, a symbol's
    quote asset, and an asset's rate in USDT: what the notional limit and the portfolio need."""

    def __init__(self, spot, futures, exchange):
        self.spot, self.futures, self.exchange = spot, futures, exchange

    def current(self, market: str, symbol: str) -> Decimal:
        return self.current_sourced(market, symbol)[0]

    def current_sourced(self, market: str, symbol: str) -> tuple[Decimal, str | None, float | None]:
        """(price, source, as_of)."""
        if market == "futures":
            sourced = self.futures.premium_index(symbol)
            return Decimal(sourced.data["markPrice"]), sourced.source.value, sourced.as_of
        sourced = self.spot.prices([symbol])
        return Decimal(sourced.data[symbol]), sourced.source.value, sourced.as_of

    def quote_asset(self, market: str, symbol: str) -> str:
        which = Market.FUTURES if market == "futures" else Market.SPOT
        return self.exchange.select([symbol], which).data[symbol]["quote_asset"]

    def usdt_rate(self, asset: str) -> tuple[Decimal, str | None, float | None]:
        """(rate, source, as_of): 1 for USDT itself; else ASSETUSDT's price, or 1 / USDTASSET's.
        KeyError when neither is listed."""
        if asset == "USDT":
            return Decimal(1), None, None
        listed = self.exchange.all().data
        if asset + "USDT" in listed:
            return self.current_sourced("spot", asset + "USDT")
        if "USDT" + asset in listed:
            price, source, as_of = self.current_sourced("spot", "USDT" + asset)
            return 1 / price, source, as_of
        raise KeyError(asset)


CURRENT = (None, "live", "stream", "cache")  # None: USDT itself, 1 by definition


def _reduces_only(order: dict) -> bool:
    """A USDT-M order that can only shrink a position (reduceOnly, closePosition): it adds no exposure,
    so the notional limit never keeps anyone from closing one."""
    return any(str(order.get(flag)).lower() == "true" for flag in ("reduceOnly", "closePosition"))


def _current(price: Decimal, source: str | None, as_of) -> Decimal:
    if source not in CURRENT:
        raise ValueError(f"only a {source} price")
    return price


def _read(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as file:
            kept = json.load(file)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        log.error("risk limits in %s unreadable (%s): the settings' ceilings apply", path, type(err).__name__)
        return None
    return kept if isinstance(kept, dict) and isinstance(kept.get("limits"), dict) else None


def _shown(value):
    if isinstance(value, Decimal):
        return _usdt(value)
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    return value


def _usdt(value: Decimal) -> str:
    return f"{value.normalize():f}"

