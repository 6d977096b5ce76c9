"""gunicorn, the production web server: `gunicorn -c config/gunicorn.conf.py`.

Every value comes from the environment (README, "Production"). The access log
is off: the application writes one JSON line per request itself, with the
request id and route name (workflow/web/request_log.py).
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
# A container listens on every interface by default; the proxy in front decides who reaches it.
_host = os.environ.get("HOST", "0.0.0.0")  # nosec B104 # behind our proxy; a container needs every interface
bind = os.environ.get("GUNICORN_BIND", f"{_host}:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("WEB_THREADS") or "1")
# A request that takes longer than this is killed and logged (PDFs are made by the worker, not here).
timeout = int(os.environ.get("WEB_TIMEOUT") or "30")
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT") or "30")
keepalive = 5
# A worker process is replaced after this many requests, against slow leaks.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS") or "2000")
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Uploads (the verification page) are streamed to a temporary file by Django, not kept in memory.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None

# Which peers may tell gunicorn the original scheme (X-Forwarded-Proto): our own proxies only, the same
# ones TRUSTED_PROXY_COUNT counts; with no proxy in front nobody may.
_proxies = int(os.environ.get("TRUSTED_PROXY_COUNT") or "0")
forwarded_allow_ips = (os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1") if _proxies > 0 else ""


# gunicorn's control socket (gunicornc) lives under the home folder by default, where two nodes on one
# machine would share it: give each node its own with GUNICORN_CONTROL_SOCKET, or leave it off.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
if _control_socket:
    control_socket = _control_socket
control_socket_disable = not _control_socket


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR, a worker's request figures are added up until it is gone."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
