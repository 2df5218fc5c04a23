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

Then: forged Host headers and foreign websocket Origins (DNS rebinding) are refused, on
127.0.0.1 and on every interface; websocket messages nested too deep to parse, and paths naming
files longer than any file system holds, are refused quietly; a server whose content/ holds a
symlink loop starts at once and shows the build's error. Each checks the server printed no
traceback.
"""

from __future__ import annotations

import asyncio
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

    def output(self, since: int = 0) -> str:
        """Return what the server printed, from byte offset since."""
        return self.log.read_bytes()[since:].decode(errors="replace")

    def assert_alive_and_serving(self) -> None:
        """Check the process runs and a normal request gets the home page."""
        assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
        status, answer = get(self.port)
        assert status == 200 and TITLE.encode() in answer


def start_server(site: Path, log: Path, *options: str, host: str = "127.0.0.1") -> Server:
    """Start `sitegen serve` for site on a free port, its output going to log; return at once."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--site",
                                 str(site), "--host", host, "--port", str(port), *options],
                                cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env)
    return Server(proc, port, site, log)


def wait_until_listening(running: Server, timeout: float = START_TIMEOUT,
                         ready: tuple[int, ...] = (200,)) -> None:
    """Wait until GET / answers with a status in ready; fail if the server died or timed out."""
    deadline = time.monotonic() + timeout
    while True:
        assert running.proc.poll() is None, running.output()
        with contextlib.suppress(OSError, IndexError, ValueError, AssertionError):
            if get(running.port)[0] in ready:
                return
        assert time.monotonic() < deadline, f"the server never answered:\n{running.output()}"
        time.sleep(0.2)


def stop_server(running: Server) -> None:
    """Stop the server with Ctrl-C, killing it if it does not stop."""
    running.proc.send_signal(signal.SIGINT)
    try:
        running.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        running.proc.kill()
        running.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Run `sitegen serve` for a small site with secrets around it; stop it afterwards."""
    root = tmp_path_factory.mktemp("serve")
    site = root / "site"
    write_small_site(site)
    (site / "sitegen.yaml").write_text(f"# {SECRET.decode()}\ntitle: {TITLE}\n")
    (site / "secret.txt").write_bytes(SECRET)
    (root / "secret.txt").write_bytes(SECRET)
    (site / ".sitegen-cache" / "serve").mkdir(parents=True)
    (site / ".sitegen-cache" / "serve" / "secret.txt").write_bytes(SECRET)
    running = start_server(site, root / "serve.log")
    try:
        wait_until_listening(running)
        yield running
    finally:
        stop_server(running)


def write_small_site(site: Path) -> None:
    """Write a site of one entry."""
    entry = site / "content" / "2022" / "12" / "a.md"
    entry.parent.mkdir(parents=True)
    entry.write_text("---\ntitle: An entry\ndate: 2022-12-31\nslug: a\n---\n\nBody.\n")
    (site / "sitegen.yaml").write_text(f"title: {TITLE}\n")


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
        answer = exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       f"Connection: close\r\n\r\n".encode())
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
    "huge-request-line": b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "2000-headers": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(
        b"X-H%d: v\r\n" % n for n in range(2000)) + b"\r\n",
    "huge-header": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    "nul-header": b"GET / HTTP/1.1\r\nHost: x\x00y\r\nX: \x00\r\n\r\n",
    "lying-length": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999\r\n\r\nabc",
    "bad-chunked": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"zz\r\nx\r\n",
    "unknown-method": b"BREW /../secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "pipelined": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 b"GET /../secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "negative-length": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
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
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * n)  # unfinished
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


# --- foreign hosts and origins (DNS rebinding), hostile websocket messages, long names ---------

def status_of(answer: bytes) -> int:
    """Return the status code of a raw HTTP answer."""
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


def request_with_host(port: int, host: str, path: str = "/") -> bytes:
    """Return the whole answer to a GET whose Host header says host."""
    return exchange(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                    .encode())


def websocket_handshake(port: int, host: str, origin: str | None) -> bytes:
    """Return the server's answer to a livereload websocket handshake (status line and headers)."""
    lines = ["GET /livereload HTTP/1.1", f"Host: {host}", "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
             "Sec-WebSocket-Version: 13"]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
                answer += chunk
    return answer


def wait_for_output(running: Server, since: int, seconds: float = 0.5) -> str:
    """Give the server a moment to print what a request made it print; return that."""
    time.sleep(seconds)
    return running.output(since)


FOREIGN_HOSTS = ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                 "localhost.evil.example", "evil.example:80", "[::2]:{port}", "10.1.2.3:{port}",
                 "0.0.0.0:{port}", "127.0.0.1:{port}@evil.example", "LOCALHOST.evil.example"]
LOCAL_HOSTS = ["127.0.0.1", "127.0.0.1:{port}", "localhost", "localhost:{port}",
               "LocalHost:{port}", "[::1]", "[::1]:{port}", "127.0.0.1:1"]


def test_requests_for_a_foreign_host_name_are_refused(server):
    since = len(server.log.read_bytes())
    for host in FOREIGN_HOSTS:
        host = host.format(port=server.port)
        for path in ("/", "/2022/12/31/a/", "/livereload.js", "/no-such-page"):
            answer = request_with_host(server.port, host, path)
            assert status_of(answer) in (400, 403, 421), (host, path, answer[:300])
            body = answer.split(b"\r\n\r\n", 1)[1]
            assert len(body) < 200 and TITLE.encode() not in answer, (host, path, answer[:300])
        refused = websocket_handshake(server.port, host, f"http://{host}")
        assert status_of(refused) in (400, 403, 421), (host, refused[:300])
    for host in LOCAL_HOSTS:
        answer = request_with_host(server.port, host.format(port=server.port))
        assert status_of(answer) == 200 and TITLE.encode() in answer, (host, answer[:300])
    output = wait_for_output(server, since)
    assert "Traceback" not in output and len(output.splitlines()) <= len(FOREIGN_HOSTS), output
    server.assert_alive_and_serving()


def test_the_reload_socket_refuses_a_foreign_origin(server):
    since = len(server.log.read_bytes())
    local = f"127.0.0.1:{server.port}"
    for origin in ("http://evil.example", f"http://evil.example:{server.port}", "null",
                   f"http://127.0.0.1.evil.example:{server.port}", "https://evil.example",
                   "file://", "http://localhost.evil.example"):
        answer = websocket_handshake(server.port, local, origin)
        assert status_of(answer) == 403, (origin, answer[:300])
    for origin in (f"http://{local}", f"http://localhost:{server.port}", None):
        answer = websocket_handshake(server.port, local, origin)
        assert status_of(answer) == 101, (origin, answer[:300])
    output = wait_for_output(server, since)
    assert "Traceback" not in output, output
    server.assert_alive_and_serving()


def test_the_host_rule_for_a_server_listening_on_every_interface(tmp_path):
    site = tmp_path / "site"
    write_small_site(site)
    running = start_server(site, tmp_path / "serve.log", host="0.0.0.0")
    try:
        wait_until_listening(running)
        for host in (socket.gethostname(), f"{socket.gethostname()}:{running.port}",
                     f"localhost:{running.port}", f"127.0.0.1:{running.port}",
                     f"192.168.1.20:{running.port}", f"[fe80::1]:{running.port}"):
            answer = request_with_host(running.port, host)
            assert status_of(answer) == 200 and TITLE.encode() in answer, (host, answer[:300])
        for host in ("evil.example", f"evil.example:{running.port}",
                     f"{socket.gethostname()}.evil.example"):
            answer = request_with_host(running.port, host)
            assert status_of(answer) in (403, 421), (host, answer[:300])
        assert "Traceback" not in running.output()
    finally:
        stop_server(running)


async def send_and_wait_for_close(port: int, message: str) -> tuple[int | None, str | None]:
    """Open the reload socket, send message, return (close code, what came back) or fail."""
    from tornado.websocket import websocket_connect

    conn = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    try:
        await conn.write_message(message)
        answer = await asyncio.wait_for(conn.read_message(), 10)
        return conn.close_code, answer
    finally:
        conn.close()


@pytest.mark.parametrize("message", ["[" * 60_000, "{\"a\":" * 12_000, "[" * 5_000 + "]" * 5_000])
def test_a_deeply_nested_websocket_message_closes_the_socket_quietly(server, message):
    since = len(server.log.read_bytes())
    code, answer = asyncio.run(send_and_wait_for_close(server.port, message))
    assert answer is None and code == 1003, (code, answer)
    output = wait_for_output(server, since)
    assert "Traceback" not in output and "RecursionError" not in output, output[-2000:]
    assert len(output) < 300, output[-2000:]
    server.assert_alive_and_serving()


@pytest.mark.parametrize("path", ["/" + "a" * 256, "/2022/" + "é" * 200 + "/",
                                  "/" + "b" * 1000 + ".css", "/c" * 6000,
                                  "/" + "%41" * 300])
def test_an_overlong_file_name_in_a_path_is_a_quiet_400(server, path):
    since = len(server.log.read_bytes())
    answer = exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   f"Connection: close\r\n\r\n".encode())
    assert status_of(answer) in (400, 404), (path[:100], answer[:300])
    output = wait_for_output(server, since)
    assert "Traceback" not in output, output[-2000:]
    assert all(len(line) <= 200 for line in output.splitlines()), output[-2000:]
    assert len(output.splitlines()) <= 1, output[-2000:]
    server.assert_alive_and_serving()


def test_a_symlink_loop_in_content_is_reported_not_a_hang(tmp_path):
    site = tmp_path / "site"
    write_small_site(site)
    folder = site / "content" / "2022" / "12"
    (folder / "up").symlink_to("..")          # content/2022/12/up -> content/2022
    (folder / "here").symlink_to(".")         # content/2022/12/here -> itself
    (site / "content" / "loop").symlink_to("loop")   # a link to itself
    running = start_server(site, tmp_path / "serve.log")
    try:
        wait_until_listening(running, timeout=30, ready=(500,))
        status, answer = get(running.port)
        assert b"sitegen-error" in answer and b"this link" in answer
        output = running.output()
        assert output.count(": this link") == 1, output[-3000:]
        assert "Traceback" not in output and "internal error" not in output, output[-3000:]

        for link in (folder / "up", folder / "here", site / "content" / "loop"):
            link.unlink()
        deadline = time.monotonic() + 30
        while (answer := get(running.port))[0] != 200 or b"sitegen-error" in answer[1]:
            assert time.monotonic() < deadline, running.output()[-3000:]
            time.sleep(0.2)
        assert "Traceback" not in running.output()
    finally:
        stop_server(running)


def test_a_link_out_of_the_site_is_refused_and_never_served(tmp_path):
    site = tmp_path / "site"
    write_small_site(site)
    (tmp_path / "secret.txt").write_bytes(SECRET)
    static = site / "templates" / "static"
    static.mkdir(parents=True)
    (static / "secret.txt").symlink_to(tmp_path / "secret.txt")
    running = start_server(site, tmp_path / "serve.log")
    try:
        wait_until_listening(running, timeout=30, ready=(500,))
        status, answer = get(running.port)
        assert b"sitegen-error" in answer and b"this link leads outside the site" in answer
        assert SECRET not in get(running.port, "/static/secret.txt")[1]
        output = running.output()
        assert output.count(": this link leads outside") == 1, output[-3000:]
        assert "Traceback" not in output, output[-3000:]

        (static / "secret.txt").unlink()
        deadline = time.monotonic() + 30
        while (answer := get(running.port))[0] != 200 or b"sitegen-error" in answer[1]:
            assert time.monotonic() < deadline, running.output()[-3000:]
            time.sleep(0.2)
        assert "Traceback" not in running.output()
    finally:
        stop_server(running)
