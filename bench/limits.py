"""Size limits, measured: a 20 MB POST /articles without and with the write token, the server's
memory around it, and a small POST right after. Serves a temporary store with `frontwatch serve`.

    .venv/bin/python bench/limits.py [--mb 20]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TOKEN = "bench-token"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(base: str, body: bytes, headers: dict[str, str]) -> tuple[str, float]:
    """Status (or the client's error when the server closed the connection mid-upload) and seconds."""
    start = time.perf_counter()
    try:
        response = httpx.post(f"{base}/articles", content=body, headers=headers, timeout=120)
        outcome = f"{response.status_code} {response.json()['error']['code'] if response.is_error else ''}"
    except httpx.TransportError as exc:
        outcome = f"connection closed by the server during the upload ({type(exc).__name__})"
    return outcome.strip(), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=20, help="Size of the big body in MB")
    args = parser.parse_args()
    big = b'{"title": "Big", "text": "' + b"Kharkiv. " * (args.mb * 1024 * 1024 // 9) + b'"}'
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "FRONTWATCH_WRITE_TOKEN": TOKEN}
        frontwatch = str(Path(sys.executable).with_name("frontwatch"))
        command = [frontwatch, "--db", str(Path(folder) / "limits.db"), "serve", "--port", str(port)]
        server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    httpx.get(f"{base}/health", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            json_type = {"Content-Type": "application/json"}
            auth = {**json_type, "Authorization": f"Bearer {TOKEN}"}
            print(f"server RSS at start: {_rss_mb(server.pid):.0f} MB; body {len(big) / 1e6:.1f} MB")
            for label, headers in (("without a token", json_type), ("with the token", auth)):
                outcome, seconds = _post(base, big, headers)
                rss = _rss_mb(server.pid)
                print(f"{args.mb} MB POST {label}: {outcome} in {seconds:.2f} s; server RSS {rss:.0f} MB")
            small = b'{"title": "Shelling", "text": "Russian forces shelled Kharkiv on 3 May."}'
            outcome, seconds = _post(base, small, auth)
            print(f"small POST right after: {outcome} in {seconds:.2f} s (loads spaCy and the gazetteer)")
            print(f"server RSS at the end: {_rss_mb(server.pid):.0f} MB")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
