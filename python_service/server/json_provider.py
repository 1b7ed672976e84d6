"""Flask's JSON answers (jsonify, flask.json.dumps) written by json_codec: compact UTF-8,
keys in insertion order, NaN and infinities as null (the standard library would write
`NaN`, which is not JSON). A call asking for anything else (indentation in debug, sorted
keys, ASCII escapes, spaced separators, its own encoder) and anything orjson cannot write
(an integer past 64 bits) goes to Flask's own provider, unchanged. Request bodies are
still read by Flask's loads (routes/inputs.py bounds them first)."""
from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

from ..upstream import json_codec

COMPACT = (",", ":")


class FastJSONProvider(DefaultJSONProvider):
    sort_keys = False
    ensure_ascii = False  # Binance writes non-ASCII symbols as UTF-8; so do we, on either path

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if self._fast(kwargs):
            try:
                return json_codec.dumps(obj, self.default).decode()
            except TypeError:
                pass  # an integer past 64 bits: Flask's encoder writes it
        return super().dumps(obj, **kwargs)

    def _fast(self, kwargs: dict) -> bool:
        return (kwargs.keys() <= {"separators", "ensure_ascii", "sort_keys"}
                and tuple(kwargs.get("separators", COMPACT)) == COMPACT
                and not kwargs.get("ensure_ascii", self.ensure_ascii)
                and not kwargs.get("sort_keys", self.sort_keys))
