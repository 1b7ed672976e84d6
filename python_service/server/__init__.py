"""How python_service runs: gunicorn's settings (gunicorn.conf.py), its own refusals in the error
shape (http_errors.py), requests taking turns in a gevent worker (turns.py), the garbage
collector's policy (gc_policy.py) and Flask's JSON answers (json_provider.py)."""
