"""The player view in a browser, for a projector or for remote players: textual-serve runs one ``python -m
tui.player LIVEFILE`` per browser connection and draws its terminal in the page.

Only localhost is served by default. Each connection starts its own read-only viewer process; nothing a browser
sends reaches the facilitator's session (the viewer never writes, and it reads only the live file).
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys
from pathlib import Path


def player_command(live: str | Path) -> str:
    """The shell command textual-serve runs for each browser connection."""
    return f"{shlex.quote(sys.executable)} -m tui.player {shlex.quote(str(Path(live).resolve()))}"


def default_public_url(host: str, port: int) -> str:
    """The address the page tells the browser to load its scripts and websocket from.

    textual-serve builds it from ``host``, which is right for a name or an address; a wildcard address (``0.0.0.0``,
    ``::``) is no place to connect to, so the page then points at this machine's host name.
    """
    name = host
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None and ip.is_unspecified:
        name = socket.gethostname()
    elif ip is not None and ip.version == 6:
        name = f"[{ip}]"
    return f"http://{name}:{port}"


def serve(live: str, host: str = "127.0.0.1", port: int = 8000, public_url: str | None = None) -> None:
    """Serve the player view of the live file ``live`` at http://HOST:PORT until interrupted (Ctrl+C or SIGTERM).

    ``public_url`` is the address browsers reach the server at, when it is not http://HOST:PORT (behind a proxy,
    say).
    """
    from textual_serve.server import Server

    server = Server(player_command(live), host=host, port=port, title="ai-tabletop player view",
                    public_url=public_url or default_public_url(host, port))
    server.serve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tui.serve",
        description="Serve the read-only player view of a facilitator session's live file to browsers.")
    parser.add_argument("live", metavar="LIVEFILE", help="the JSON live file the facilitator's session writes")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--public-url", default=None,
                        help="the URL browsers reach the server at, if not http://HOST:PORT")
    args = parser.parse_args(argv)
    if Path(args.live).is_dir():
        parser.error(f"{args.live} is a directory, not a live file")
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port} is not a port number")
    serve(args.live, args.host, args.port, args.public_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
