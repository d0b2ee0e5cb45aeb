"""Serve ``atlas.sqlite`` with Datasette on 127.0.0.1 (never another interface).

Datasette runs in this process under uvicorn, as ``datasette serve`` does: Ctrl-C (SIGINT) or
SIGTERM stops it cleanly and ``serve`` returns. The database is opened immutable (read-only,
counted once), which is what a built file that only ``analysis explore`` rewrites allows.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from analysis.errors import UserError

HOST = "127.0.0.1"
DEFAULT_PORT = 8001
SETTINGS = {
    "sql_time_limit_ms": 3000,  # the canned queries join the history; 2 shared cores
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,
    "default_page_size": 100,
}


def check_port(port: int) -> None:
    """Fail with a clear message when the port is taken or out of range."""
    if not 0 < port < 65536:
        raise UserError(f"--port {port}: choose a port from 1 to 65535")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            raise UserError(
                f"port {port} on {HOST} is not free ({exc.strerror}); pass --port N"
            ) from None


def datasette_app(db_path: Path, metadata: dict):
    """The Datasette ASGI app over the database, checked and started as ``datasette serve``."""
    from datasette.app import Datasette

    ds = Datasette(immutables=[str(db_path)], metadata=metadata, settings=SETTINGS)
    asyncio.run(ds.invoke_startup())
    return ds.app()


def serve(db_path: Path, metadata: dict, port: int = DEFAULT_PORT, echo=print) -> None:
    """Serve until interrupted; print the address first."""
    import uvicorn

    check_port(port)
    app = datasette_app(db_path, metadata)
    url = f"http://{HOST}:{port}/{db_path.stem}"
    echo(f"explore: serving {db_path.name} at {url} (Ctrl-C to stop)")
    uvicorn.run(app, host=HOST, port=port, log_level="warning", lifespan="on")
    echo("explore: stopped")
