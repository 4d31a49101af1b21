"""The concurrent run: gunicorn on 127.0.0.1, a fixed number of client threads for a fixed
time over a mix of pages and searches, and the resident memory of every gunicorn process."""

import http.client
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_memory_mb(pid):
    """(current, peak) resident memory of a process in MB, from /proc; None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in status.splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, amount = line.split(":", 1)
            values[name] = int(amount.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def children_of(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def get(port, path, timeout):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def load_run(*, base_dir, env, urls, workers=2, clients=16, seconds=60.0, seed=1, timeout=30.0, log_path=None):
    """Serve the site with gunicorn and drive it; {rps, p95_ms, errors, …} and peak memory."""
    port = free_port()
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "archive.wsgi:application",
            "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "--timeout", str(int(timeout) + 30), "--chdir", str(base_dir),
        ],
        cwd=base_dir, env=env, stdout=log, stderr=log,
    )
    peaks = {}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(port, "/", timeout) == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start; see the benchmark log")
            time.sleep(0.2)

        samples, errors, lock = [], [], threading.Lock()
        stop_at = time.monotonic() + seconds

        def client(number):
            rng = random.Random(seed * 1000 + number)
            while time.monotonic() < stop_at:
                path = rng.choice(urls)
                started = time.perf_counter()
                try:
                    status = get(port, path, timeout)
                    failed = status >= 400
                except OSError as error:
                    status, failed = repr(error), True
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    samples.append(elapsed)
                    if failed:
                        errors.append(f"{status} {path}")

        def watch():
            while time.monotonic() < stop_at:
                record_memory(server.pid, peaks)
                time.sleep(0.5)

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
        watcher = threading.Thread(target=watch, daemon=True)
        started = time.monotonic()
        for thread in [*threads, watcher]:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        record_memory(server.pid, peaks)
        ordered = sorted(samples)
        result = {
            "rps": round(len(samples) / elapsed, 1),
            "p50_ms": round(ordered[len(ordered) // 2], 1) if ordered else 0.0,
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else 0.0,
            "errors": len(errors),
            "requests": len(samples),
            "clients": clients,
            "seconds": round(elapsed, 1),
        }
        if errors:
            result["error_examples"] = sorted(set(errors))[:5]
        return result, peaks
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if log_path:
            log.close()


def record_memory(master_pid, peaks):
    """Keep the highest resident memory seen for the gunicorn master and each worker."""
    for index, pid in enumerate(sorted(children_of(master_pid))):
        memory = process_memory_mb(pid)
        if memory:
            key = f"gunicorn_worker_{index + 1}"
            peaks[key] = round(max(peaks.get(key, 0.0), *memory), 1)
    memory = process_memory_mb(master_pid)
    if memory:
        peaks["gunicorn_master"] = round(max(peaks.get("gunicorn_master", 0.0), *memory), 1)

