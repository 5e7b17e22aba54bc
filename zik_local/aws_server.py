"""The embedded AWS's HTTP server: moto's WSGI application (what ``moto_server`` serves) behind waitress.

moto's own ThreadedMotoServer is werkzeug's development server, which answers every request with
``Connection: close`` and starts a thread per connection. Every AWS call of every function then opened a new
TCP connection and a new thread in this process: 41 connections for 41 calls of one client, and under make
load 7% of the local cloud's time was spent starting those threads. Waitress keeps connections alive
(HTTP/1.1) and serves requests from a fixed pool of threads, as an AWS endpoint would be reached from Lambda.

One difference from moto's server: waitress drops request headers whose names hold an underscore (werkzeug
does too; moto's request handler puts them back, for S3 metadata keys spelled with one). Nothing of zik sends
such a header.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

# Requests served at once. An SQS long poll holds its thread for up to 20 s (one per queue's poller), a Step
# Functions task calling Lambda through this server holds one for the function's run; the functions' own
# calls are short. 64 leaves room for all of them under make load's 50 clients.
THREADS = 64
# Open connections at once: each execution environment keeps a pool of its own (up to 10 per client).
CONNECTION_LIMIT = 1000


class EmbeddedAWS:
    """moto's APIs on ``host``:``port`` (0: a free port), served by waitress in a thread of this process."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from waitress.server import create_server

        # waitress warns each time requests wait for a thread ("Task queue depth is N": a burst, not a fault), and
        # at stop of the threads still in an SQS long poll (daemon threads, which end with it).
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        logging.getLogger("waitress").setLevel(logging.ERROR)
        moto_app = DomainDispatcherApplication(create_backend_app)

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            # moto reads the path as it arrived (before percent-decoding: S3 keys, SigV4's canonical request)
            # from RAW_URI, which werkzeug and gunicorn set; waitress has it as REQUEST_URI.
            environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
            return moto_app(environ, start_response)

        self._server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=THREADS,
            connection_limit=CONNECTION_LIMIT,
            ident="amazon.com",
            clear_untrusted_proxy_headers=True,
        )
        self._thread: threading.Thread | None = None

    def start(self) -> EmbeddedAWS:
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="embedded-aws")
        self._thread.start()
        return self

    def get_host_and_port(self) -> tuple[str, int]:
        return str(self._server.effective_host), int(self._server.effective_port)

    def stop(self) -> None:
        """Stop serving: its loop ends once every connection and the listening socket are closed (closed
        from its own thread, through waitress's trigger), then its threads end. A server never started is
        closed at once."""
        done = threading.Event()

        def close_all() -> None:
            for dispatcher in list(self._server._map.values()):
                if dispatcher is not self._server.trigger:
                    dispatcher.close()
            self._server.trigger.close()
            done.set()

        if self._thread is None:
            close_all()  # never started: no loop to close them from
        else:
            self._server.trigger.pull_trigger(close_all)
            done.wait(timeout=10)
            self._thread.join(timeout=10)
        # Not waiting for the threads in a long poll (up to 20 s): they are daemon threads, and end with it.
        self._server.task_dispatcher.shutdown(timeout=1)
