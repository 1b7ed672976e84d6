"""Flask's JSON answers (jsonify, flask.json.dumps) written by json_codec: compact UTF-8,
keys in insertion order. Indented output (debug) and anything orjson cannot write go
through Flask's own provider, unchanged. Request bodies are still read by Flask's
loads (routes/inputs.py bounds them first)."""
from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

from . import json_codec


class FastJSONProvider(DefaultJSONProvider):
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("indent") is None and not kwargs.get("sort_keys", self.sort_keys):
            try:
                return json_codec.dumps(obj, self.default).decode()
            except TypeError:
                pass  # an integer past 64 bits: Flask's encoder writes it
        return super().dumps(obj, **kwargs)
