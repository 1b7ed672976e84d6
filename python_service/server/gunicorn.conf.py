"""gunicorn settings for python_service:
`gunicorn -c python_service/server/gunicorn.conf.py 'python_service:create_app()'`.

Settings are validated here, in the master, so a bad value stops start-up with
one clear line naming the variable instead of a worker traceback loop."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from python_service.server import http_errors
from python_service.settings import Settings, SettingsError, load_env_file
from python_service.stores.host import FILE_NAME as HOST_STORE_FILE

load_env_file()
http_errors.install()  # gunicorn's own refusals (414, 431, a malformed request) in the error shape

try:
    _settings = Settings.from_env(os.environ)
except SettingsError as err:
    sys.stderr.write(f"python_service: configuration error: {err}\n")
    sys.exit(2)

bind = f"{_settings.bind_host}:{_settings.port}"
# Without Redis, one worker per CPU: they share state (cache, weight budget, ban/restriction,
# single flight, the stream lease) through the host store (stores/host.py), a SQLite
# file in HOST_STORE_DIR. With Redis the state is in Redis, and 4 workers run by default.
# gevent (gunicorn's advice for apps that wait on external services): each connection
# is a greenlet, so a client trickling its request, or a request waiting on a silent
# Binance, costs a few kB of memory instead of one of a handful of threads.
# gthread (GUNICORN_WORKER_CLASS=gthread) stays available for debugging, but a few slow
# clients can stop it: it is only safe behind a buffering proxy.
worker_class = _settings.worker_class
workers = _settings.gunicorn_workers()
threads = _settings.threads
worker_connections = _settings.worker_connections
limit_request_line = 8190  # gunicorn's maximum: longer request lines get 414 (in the error shape)
# A request may wait for every upstream attempt; keep the worker alive past that.
timeout = int(_settings.timeout_s * _settings.max_attempts + 30)
graceful_timeout = 10
# The app writes one JSON line per request (with its request id): no second access log.
accesslog = None
errorlog = "-"

# prometheus-client multiprocess mode: every worker writes its counters to a directory
# and /metrics adds them up. Ours is a fresh temporary one per start, removed at exit;
# an operator's PROMETHEUS_MULTIPROC_DIR is used as it is, and only its *.db files are cleared.
_own_metrics_dir = None
if _settings.metrics_dir:
    os.makedirs(_settings.metrics_dir, exist_ok=True)
    for _name in os.listdir(_settings.metrics_dir):
        if _name.endswith(".db"):
            os.unlink(os.path.join(_settings.metrics_dir, _name))
else:
    _own_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gateway-metrics-")

# The host store: a fresh directory per start, removed at exit (a directory the operator
# names is kept, and only the store's files are cleared: no lease or ban of a past run).
_own_host_dir = None
if _settings.host_store_dir:
    os.makedirs(_settings.host_store_dir, exist_ok=True)
    for _name in os.listdir(_settings.host_store_dir):
        if _name.startswith(HOST_STORE_FILE):
            os.unlink(os.path.join(_settings.host_store_dir, _name))
else:
    _own_host_dir = os.environ["HOST_STORE_DIR"] = tempfile.mkdtemp(prefix="gateway-host-")


def post_worker_init(worker):
    """Each worker starts its websocket streams here, after the fork (threads do not survive
    a fork); with Redis, only the worker that wins the lease connects. The garbage collector
    is tuned first, once the app is built (python_service/server/gc_policy.py); last, a gevent
    worker's requests are made to take turns (python_service/server/turns.py)."""
    from python_service.server import gc_policy

    gc_policy.tune()
    services = getattr(worker.wsgi, "extensions", {}).get("services")
    if services is not None:
        services.streams.start()
    if worker_class == "gevent":  # requests take turns in the worker's one loop (python_service/server/turns.py)
        from python_service.server.turns import Turns

        worker.wsgi = Turns(worker.wsgi)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    for directory in (_own_metrics_dir, _own_host_dir):
        if directory:
            shutil.rmtree(directory, ignore_errors=True)


def worker_exit(server, worker):
    # What the last known good holds but has not written yet goes to disk before the worker
    # is gone (atexit does it too; this hook also runs when the worker leaves by another path).
    from python_service.server import gc_policy
    from python_service.sourcing.last_known_good import flush_all

    flush_all()
    gc_policy.release()
