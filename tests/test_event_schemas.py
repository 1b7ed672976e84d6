"""The event streams' data as the OpenAPI document describes it (PriceEvent, CandleEvent):
the React client's types are generated from those schemas, so an event that left them
would break the client without breaking its type check."""
import jsonschema_rs

from python_service.routes.openapi import document
from tests.support.streaming import candle_events, events_of, next_event, started


def validator(name: str):
    return jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{name}",
                                        "components": document()["components"]})


def test_price_events_are_price_events_of_the_document(streamed_app, streams):
    client = started(streamed_app())
    response = client.get("/api/binance/stream/prices?symbols=ETHUSDT", buffered=False)
    event = next_event(events_of(response.response), lambda e: True, "a price")
    response.close()
    validator("PriceEvent").validate(event)
    assert not validator("PriceEvent").is_valid({**event, "price": 3456.78})  # a number is not a decimal string


def test_candle_events_are_candle_events_of_the_document(streamed_app, streams):
    client = started(streamed_app())
    response = client.get("/api/binance/stream/klines?symbol=SOLUSDT&interval=1m", buffered=False)
    event = next_event(candle_events(response.response), lambda e: True, "a candle")
    response.close()
    validator("CandleEvent").validate(event)
    assert not validator("CandleEvent").is_valid({k: v for k, v in event.items() if k != "source"})
