"""Run the fake exchange by hand: python -m tests.fake_binance --port 9100"""
import argparse
import signal
import threading

from .server import FakeBinance


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Binance REST exchange on loopback (for offline use).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="0 lets the OS choose")
    parser.add_argument("--api-key", default="fake-key", help="API key the fake accepts on signed routes")
    parser.add_argument("--api-secret", default="fake-secret", help="its HMAC secret")
    parser.add_argument("--odd-symbols", action="store_true",
                        help="also list NEWUSDT at price 0, OLDBTC in BREAK and futures' 币安人生USDT")
    parser.add_argument("--futures-weight-limit", type=int, default=None,
                        help="futures weight per minute (default: the spot limit, 6000; Binance's is 2400)")
    parser.add_argument("--ws-port", type=int, default=9101,
                        help="port of its websocket streams (BINANCE_WS_URL / BINANCE_FUTURES_WS_URL); -1: none")
    args = parser.parse_args()
    fake = FakeBinance(host=args.host, api_keys={args.api_key: args.api_secret}, odd_symbols=args.odd_symbols,
                       futures_weight_limit=args.futures_weight_limit).start(args.port)
    streams = None
    if args.ws_port >= 0:
        from .streams import FakeStreams

        streams = FakeStreams(fake, host=args.host).start(args.ws_port)
    print(f"fake Binance listening on {fake.url} (spot, sapi and fapi roots); "
          f"control under {fake.url}/_fake/" + (f"; streams on {streams.url}" if streams else ""), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    if streams:
        streams.stop()
    fake.stop()


if __name__ == "__main__":
    main()
