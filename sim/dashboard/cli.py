"""``symbiosis dashboard``: serve the student dashboard, offline, with ``solara run``."""

from __future__ import annotations

import os
import socket
import sys
from typing import Annotated

import typer

APP_MODULE = "sim.dashboard.app"

# Offline and quiet: assets from the installed solara-assets package, no telemetry, no banner.
OFFLINE_ENV = {
    "SOLARA_ASSETS_PROXY": "true",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "Symbiosis simulator",
    # free a session's model a minute after its tab has gone, not after solara's default day
    "SOLARA_KERNEL_CULL_TIMEOUT": "60s",
}


def server_command(port: int, host: str) -> list[str]:
    """The ``solara run`` command line that serves the dashboard (also used by the browser tests)."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def server_env() -> dict[str, str]:
    return {**os.environ, **OFFLINE_ENV}


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen there, in words, or None if it can."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"--host {host}: unknown host (allowed: an address of this machine, e.g. 127.0.0.1 or 0.0.0.0)"
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind(addr)
        except PermissionError:
            return f"--port {port}: not allowed for this user (allowed: 1024-65535)"
        except OSError as exc:
            return f"--port {port}: cannot listen on {host}:{port}: {exc.strerror} (allowed: a free port, e.g. --port 8766)"
    return None


def register(app: typer.Typer) -> None:
    """Add the ``dashboard`` command to the ``symbiosis`` CLI."""

    @app.command()
    def dashboard(
        port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8765,
        host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 to reach it from other machines).")] = "127.0.0.1",
    ) -> None:
        """Serve the interactive dashboard for students (works without internet); Ctrl-C stops it."""
        from sim.cli.errors import fail

        problem = port_problem(host, port)
        if problem:
            fail([problem], "dashboard option")
        typer.echo(
            f"symbiosis dashboard: open http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/  (Ctrl-C stops it)"
        )
        sys.stdout.flush()
        cmd = server_command(port, host)
        os.execve(cmd[0], cmd, server_env())
