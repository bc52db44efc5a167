"""The CLI's local, authenticated channel to a running ``shopops serve``.

DuckDB lets one process open the warehouse file, and the server holds it. So a CLI command that
touches the warehouse asks the server to run it: the server writes ``server.json`` (its pid and
port) into SHOPOPS_VAR_DIR when it starts; the CLI posts its arguments to
``http://127.0.0.1:<port>/jobs/cli/`` with the per-install token from ``SHOPOPS_VAR_DIR/cli_token``
(created once, mode 0600, so only the account that owns the install can read it), then polls the
run and prints what the command printed. The endpoint answers loopback clients with the token only.

No server (or a stale ``server.json`` whose process is gone): the CLI runs the command itself.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import socket
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

TOKEN_FILE = "cli_token"
SERVER_FILE = "server.json"
HEADER = "X-Shopops-Token"
POLL_SECONDS = 15


def var_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR)


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def cli_token() -> str:
    """This install's token (created on first use, readable by its owner only)."""
    path = var_dir() / TOKEN_FILE
    if not path.exists():
        _write_private(path, secrets.token_urlsafe(32))
    return path.read_text().strip()


def token_valid(given: str) -> bool:
    path = var_dir() / TOKEN_FILE
    return bool(given) and path.exists() and hmac.compare_digest(given.encode(), path.read_text().strip().encode())


@dataclass(frozen=True, slots=True)
class ServerInfo:
    pid: int
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def server_announce(*, port: int) -> None:
    cli_token()
    _write_private(var_dir() / SERVER_FILE, json.dumps({"pid": os.getpid(), "port": port}))


def server_withdraw() -> None:
    path = var_dir() / SERVER_FILE
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def server_running() -> ServerInfo | None:
    """The server of this install, when one announced itself and its process is alive."""
    try:
        data = json.loads((var_dir() / SERVER_FILE).read_text())
        info = ServerInfo(pid=int(data["pid"]), port=int(data["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if info.pid == os.getpid():
        return None
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    try:  # the server binds its port before it announces itself: no listener, no server
        socket.create_connection(("127.0.0.1", info.port), timeout=2).close()
    except OSError:
        return None
    return info


class HandoffError(Exception):
    """The server holds the warehouse but the command could not be handed to it."""


def _call(info: ServerInfo, path: str, payload: dict | None = None, timeout: float = 30) -> dict:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(f"{info.base}{path}", data=data, method="POST" if data else "GET",
                                     headers={HEADER: cli_token(), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("error", "")
        except ValueError:
            message = ""
        raise HandoffError(f"the server (pid {info.pid}, port {info.port}) refused the command: "
                           f"HTTP {exc.code} {message}".strip()) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise HandoffError(f"the server (pid {info.pid}) holds the warehouse but does not answer on port "
                           f"{info.port} ({reason}); wait until it has started, or stop it and retry") from exc


def handoff(info: ServerInfo, argv: list[str], *, stdout=None, stderr=None) -> int:
    """Run ``shopops ARGV`` in the server; print its output here; return its exit code."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    run = _call(info, "/jobs/cli/", {"argv": argv}, timeout=3600)
    told, wait, shown_out, shown_err = "", 1, 0, 0

    def show(run: dict) -> None:  # what the command printed since the last answer
        nonlocal shown_out, shown_err
        out, err = run.get("output", ""), run.get("error", "")
        if len(out) >= shown_out:
            stdout.write(out[shown_out:])
            shown_out = len(out)
        if len(err) >= shown_err:
            stderr.write(err[shown_err:])
            shown_err = len(err)
        stdout.flush()
        stderr.flush()

    while run.get("status") not in ("succeeded", "failed"):
        busy = run.get("busy_with") or ""
        if run.get("status") == "queued" and busy and busy != told:
            print(f"waiting: the server's worker is busy with {busy}; your command (run #{run['id']}) "
                  "runs after that", file=stderr, flush=True)
            told = busy
        show(run)
        run = _call(info, f"/jobs/cli/{run['id']}/?wait={wait}&out={shown_out}&err={shown_err}", timeout=wait + 30)
        wait = POLL_SECONDS
    show(run)
    return int(run.get("exit_code") or 0)
