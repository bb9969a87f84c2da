"""`python -m tests.backend.loop_probe URL`: GET URL/healthz in a loop until stdin closes, then print each
answer's (start, seconds) as JSON. A process of its own, so that the measuring client's threads do not share a
GIL with whatever load the test itself drives: what it sees is the server's event loop lag."""

from __future__ import annotations

import json
import sys
import threading
import time

import httpx


def main(url: str) -> None:
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    samples = []
    with httpx.Client(base_url=url, timeout=60) as c:
        while not stop.is_set():
            started = time.time()
            assert c.get("/healthz").status_code == 200
            samples.append((started, time.time() - started))
            time.sleep(0.005)
    print(json.dumps(samples))


if __name__ == "__main__":
    main(sys.argv[1])
