"""gunicorn settings for python_service: `gunicorn -c python_service/gunicorn.conf.py 'python_service:create_app()'`.

Settings are validated here, in the master, so a bad value stops start-up with
one clear line naming the variable instead of a worker traceback loop."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from python_service.settings import Settings, SettingsError, load_env_file  # noqa: E402

load_env_file()

try:
    _settings = Settings.from_env(os.environ)
except SettingsError as err:
    sys.stderr.write(f"python_service: configuration error: {err}\n")
    sys.exit(2)

bind = f"{os.environ.get('GATEWAY_BIND_HOST', '0.0.0.0')}:{_settings.port}"
# Without Redis, state (cache, weight budget, ban/restriction) lives in one process:
# one worker with threads, so every request sees the same state. With Redis the
# state is shared, and several workers can run (GUNICORN_WORKERS).
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS") or (4 if _settings.cache_redis_url else 1))
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
# A request may wait for every upstream attempt; keep the worker alive past that.
timeout = int(_settings.timeout_s * _settings.max_attempts + 30)
graceful_timeout = 10
# The app writes one JSON line per request (with its request id): no second access log.
accesslog = None
errorlog = "-"

# prometheus-client multiprocess mode: every worker writes its counters here and
# /metrics adds them up. A fresh directory per start, so old counts never leak in.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _metrics_dir:
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir)
else:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gateway-metrics-")


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
