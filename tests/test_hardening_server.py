"""Hardening: the dev server survives hostile clients and never serves a file outside its site.

One `python -m site_builder serve` runs on 127.0.0.1 for the module. Secret marker files wait
just outside the dev output folder (in the site folder, in .sitegen-cache/serve/, beside the
site) and /etc/passwd is a target too. Tried, each followed by a normal request that must still
get the home page (and the server process must still be running):

- 52 hostile request paths: '..' at every depth up to the site folder and beyond, '%2e%2e',
  '%2E%2e', '.%2e', '%2f', '%5c', backslashes, overlong UTF-8 ('%c0%ae'), invalid UTF-8,
  NUL ('%00' and raw), absolute paths, 'http://' request targets, a 100 kB path;
- 14 malformed requests: no request line, garbage bytes, HTTP/9.9, HTTP/0.9, a 100 kB request
  line, 2,000 headers, a 200 kB header, a header with NUL, a lying Content-Length, a bad
  chunked body, an unknown method, a pipelined pair, an immediately closed connection;
- 50 slow clients that send half a request and stall while normal requests go on;
- a flood of 200 concurrent connections, each sending a full request.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SECRET = b"secret-marker-5be2a7"
TITLE = "Hardening server site"
START_TIMEOUT = 90.0


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def exchange(port: int, request: bytes, timeout: float = 20.0, half_close: bool = False) -> bytes:
    """Send raw bytes, return everything the server answers until it closes (or times out).

    half_close also shuts our sending side, as some hostile clients do; tornado takes that
    as the connection closing and may drop its answer, so normal requests never do it.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(request)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        chunks = []
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def get(port: int, path: str = "/") -> tuple[int, bytes]:
    """Return (status, whole answer) of a plain GET."""
    answer = exchange(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                      .encode())
    assert answer.startswith(b"HTTP/1.1 "), f"GET {path[:100]}: no HTTP answer: {answer[:200]!r}"
    return int(answer.split(b" ", 2)[1]), answer


class Server:
    """A running dev server and its folders."""

    def __init__(self, proc: subprocess.Popen, port: int, site: Path, log: Path):
        self.proc, self.port, self.site, self.log = proc, port, site, log

    def assert_alive_and_serving(self) -> None:
        """Check the process runs and a normal request gets the home page."""
        assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
        status, answer = get(self.port)
        assert status == 200 and TITLE.encode() in answer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Run `sitegen serve` for a small site with secrets around it; stop it afterwards."""
    root = tmp_path_factory.mktemp("serve")
    site = root / "site"
    entry = site / "content" / "2022" / "12" / "a.md"
    entry.parent.mkdir(parents=True)
    entry.write_text("---\ntitle: An entry\ndate: 2022-12-31\nslug: a\n---\n\nBody.\n")
    (site / "sitegen.yaml").write_text(f"# {SECRET.decode()}\ntitle: {TITLE}\n")
    (site / "secret.txt").write_bytes(SECRET)
    (root / "secret.txt").write_bytes(SECRET)
    (site / ".sitegen-cache" / "serve").mkdir(parents=True)
    (site / ".sitegen-cache" / "serve" / "secret.txt").write_bytes(SECRET)
    port = free_port()
    log = root / "serve.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--site",
                                 str(site), "--port", str(port)], cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    running = Server(proc, port, site, log)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert proc.poll() is None, log.read_text(errors="replace")
        with contextlib.suppress(OSError, IndexError, ValueError):
            if get(port)[0] == 200:
                break
        assert time.monotonic() < deadline, "the server never answered"
        time.sleep(0.2)
    yield running
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def traversal_paths() -> list[str]:
    """Return request paths that try to leave the dev output folder (<site>/.sitegen-cache/
    serve/<port>/): every spelling of '..' at every depth up to and past the site."""
    paths = []
    for depth in (1, 2, 3, 4, 8):
        for step, sep in (("..", "/"), ("%2e%2e", "/"), ("%2E%2e", "/"), (".%2e", "/"),
                          ("..", "%2f"), ("..", "%5c"), ("..", "\\"), ("%c0%ae%c0%ae", "/")):
            paths.append("/" + (step + sep) * depth + "secret.txt")
    paths += ["/../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
              "//etc/passwd", "/etc/passwd", "/./../secret.txt", "/static/../../secret.txt",
              "/index.html%00.txt", "/%00", "/%ff%fe", "/%zz", "/" + "a" * 100_000,
              "http://127.0.0.1/../secret.txt"]
    return paths


def test_52_hostile_paths_never_leave_the_output_folder(server):
    paths = traversal_paths()
    assert len(paths) == 52
    for path in paths:
        answer = exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close"
                                       f"\r\n\r\n".encode())
        assert SECRET not in answer and b"root:x:0:0" not in answer, path
        if answer:
            status = int(answer.split(b" ", 2)[1])
            assert status in (400, 403, 404, 414, 431), (path[:100], answer[:200])
        try:
            server.assert_alive_and_serving()
        except Exception as exc:
            raise AssertionError(f"after {path[:100]!r}: {exc!r}") from exc


MALFORMED = {
    "empty": b"\r\n\r\n",
    "garbage": b"\x00\xff\x01\x02 garbage \x80\r\n\r\n",
    "http-9.9": b"GET / HTTP/9.9\r\n\r\n",
    "http-0.9": b"GET /\r\n",
    "huge-request-line": b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "2000-headers": b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-H%d: v\r\n" % n for n in range(2000)) + b"\r\n",
    "huge-header": b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    "nul-header": b"GET / HTTP/1.1\r\nHost: x\x00y\r\nX: \x00\r\n\r\n",
    "lying-length": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\nabc",
    "bad-chunked": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nx\r\n",
    "unknown-method": b"BREW /../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n",
    "pipelined": b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n",
    "negative-length": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "closed-at-once": b"",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_14_malformed_requests_do_not_kill_the_server(server, name):
    answer = exchange(server.port, MALFORMED[name], timeout=10, half_close=True)
    assert SECRET not in answer
    server.assert_alive_and_serving()


def test_50_slow_clients_that_stall_do_not_block_others(server):
    stalled = []
    try:
        for n in range(50):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * n)   # never finished
            stalled.append(sock)
        for _ in range(5):
            server.assert_alive_and_serving()
    finally:
        for sock in stalled:
            sock.close()
    server.assert_alive_and_serving()


def test_a_flood_of_200_concurrent_connections_is_served_and_survived(server):
    def one(n: int) -> int:
        try:
            return get(server.port, "/" if n % 2 else "/2022/12/31/a/")[0]
        except (OSError, IndexError, ValueError):
            return 0

    sockets = []
    try:
        for _ in range(200):        # 200 connections open at the same time, idle
            sockets.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(one, range(200)))
    finally:
        for sock in sockets:
            sock.close()
    assert statuses.count(200) >= 190, statuses      # the server answers; none hangs it
    server.assert_alive_and_serving()


def test_the_server_only_listens_on_127_0_0_1(server):
    addresses = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True).stdout \
        if Path("/usr/bin/ss").exists() or Path("/bin/ss").exists() else ""
    if addresses:
        lines = [line for line in addresses.splitlines() if f":{server.port} " in line]
        assert lines and all("127.0.0.1:" in line for line in lines), lines
    server.assert_alive_and_serving()
