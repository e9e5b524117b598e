"""Concurrent page runs against a running app: N Streamlit sessions over websockets, median/p95 page time.

Each session is what a browser tab is to the server (one websocket, one script run per page view), without a
browser, so the figure measures the server. Loopback only and bounded (at most 50 sessions for 300 s): this is a
capacity figure to track, not a load generator to point at someone's server.

    python benchmarks/bench_load.py --start 8611                       # starts its own server on 127.0.0.1:8611
    python benchmarks/bench_load.py --url http://127.0.0.1:8501        # an app already running on this computer
    python benchmarks/bench_load.py --start 8611 --random-asof          # a new 统计日 per run: cache misses
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["", "phases", "cycle", "cross", "disposal", "measures", "teams", "cases", "glossary"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_SESSIONS, MAX_SECONDS, RUN_TIMEOUT = 50, 300, 180


def _loopback_only(url: str) -> str:
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK:
        sys.exit(f"只允许本机地址（127.0.0.1/localhost），不接受“{host}”")
    return url.rstrip("/")


async def _page_run(ws, page: str, query: dict, hashes: dict[str, str]) -> tuple[float, bool]:
    """One script run of `page`: (seconds until the run finished, whether the page showed an exception).

    The page is named by its script hash, which the server lists in every new_session message (`hashes` is
    filled from the first run of the session, on the main page).
    """
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.query_string = urlencode(query, doseq=True)
    msg.rerun_script.page_name = page
    msg.rerun_script.page_script_hash = hashes.get(page, "")
    started = time.monotonic()
    await ws.send(msg.SerializeToString())
    failed = False
    while True:
        fwd = ForwardMsg()
        fwd.ParseFromString(await asyncio.wait_for(ws.recv(), RUN_TIMEOUT))
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            hashes.update({p.url_pathname: p.page_script_hash for p in fwd.new_session.app_pages})
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            failed |= fwd.delta.new_element.WhichOneof("type") == "exception"
        if kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return time.monotonic() - started, failed


async def _session(base: str, index: int, deadline: float | None, random_asof: bool, times: list,
                   errors: list) -> None:
    """Page after page until the deadline; without a deadline, every page once (the warm-up)."""
    import websockets

    rng = random.Random(index)
    uri = "ws" + base[len("http"):] + "/_stcore/stream"
    # No client keepalive pings: a busy server answers them late, and a browser does not send them either.
    async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                  ping_interval=None) as ws:
        hashes: dict[str, str] = {}
        # Opening the app (what a browser does first) also brings the page list; it counts as an overview run.
        seconds, failed = await _page_run(ws, "", {}, hashes)
        if deadline:
            times.append(seconds)
            if failed:
                errors.append("overview: exception on the page")
        n = index  # sessions start on different pages
        while (time.monotonic() < deadline) if deadline else n < index + len(PAGES):
            page = PAGES[n % len(PAGES)]
            query = {}
            if random_asof:
                query["asof"] = (dt.date(2025, 3, 1) + dt.timedelta(days=rng.randrange(600))).isoformat()
            try:
                seconds, failed = await _page_run(ws, page, query, hashes)
            except TimeoutError:
                errors.append(f"{page or 'overview'}: no answer within {RUN_TIMEOUT} s")
                return
            except websockets.ConnectionClosed as exc:
                errors.append(f"{page or 'overview'}: connection closed ({exc})")
                return
            times.append(seconds)
            if failed:
                errors.append(f"{page or 'overview'}: exception on the page")
            n += 1


def _start_server(port: int):
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/_stcore/health", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    sys.exit("streamlit did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501", help="a running app on this computer")
    parser.add_argument("--start", type=int, metavar="PORT", help="start a server on 127.0.0.1:PORT for the run")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--random-asof", action="store_true", help="a random 统计日 per page run (cache misses)")
    args = parser.parse_args(argv)
    sessions = max(1, min(args.sessions, MAX_SESSIONS))
    seconds = max(5, min(args.seconds, MAX_SECONDS))
    proc = None
    if args.start:
        proc, base = _start_server(args.start)
    else:
        base = _loopback_only(args.url)
    try:
        times: list[float] = []
        errors: list[str] = []

        async def run_all():
            # One warm-up run per page, so the figures are about concurrency, not the first build of the caches.
            await _session(base, 0, None, False, [], errors)
            deadline = time.monotonic() + seconds
            await asyncio.gather(*(_session(base, i, deadline, args.random_asof, times, errors)
                                   for i in range(sessions)))

        started = time.monotonic()
        asyncio.run(run_all())
        wall = time.monotonic() - started
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    if not times:
        print("no page run finished", errors[:5])
        return 1
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{sessions} sessions × {seconds} s{' (random 统计日)' if args.random_asof else ''}: "
          f"{len(times)} page runs in {wall:.0f} s, errors {len(errors)}")
    print(f"page time  median {statistics.median(times):.2f} s   p95 {p95:.2f} s   max {times[-1]:.2f} s")
    for e in errors[:10]:
        print("  error:", e)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
