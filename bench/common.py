"""What every benchmark shares: which database, Django set up on it, the machine, the results.

A run names its dataset by scale and seed; each dataset lives in its own SQLite file under
var/bench/ or its own PostgreSQL database (never var/thidua.sqlite3).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA_DIR = ROOT / "var" / "bench"
DEFAULT_PG = "postgres://postgres@127.0.0.1:54345/"

# Named scales: the national deployment is 1; sizes follow it linearly.
NATIONAL = {
    "organizations": 1000,
    "clusters": 100,
    "people": 300_000,
    "years": 10,
    "nominations": 60_000,
    "ballots": 10_000,
}


def sizes(scale: float) -> dict[str, int]:
    found = {key: max(round(value * scale), 1) for key, value in NATIONAL.items()}
    found["years"] = NATIONAL["years"]
    found["organizations"] = max(found["organizations"], 10 * found["clusters"])
    return found


def add_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the national deployment")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG", DEFAULT_PG), help="PostgreSQL server URL"
    )


def dataset_name(scale: float, seed: int) -> str:
    return f"thidua_bench_s{str(scale).replace('.', '_')}_seed{seed}"


def database_url(engine: str, name: str, pg: str = DEFAULT_PG) -> str:
    if engine == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DATA_DIR / (name + '.sqlite3')}"
    return pg.rstrip("/") + "/" + name


def exists(engine: str, name: str, pg: str = DEFAULT_PG) -> bool:
    """Whether the dataset was generated completely (a marker table row says so)."""
    if engine == "sqlite":
        path = DATA_DIR / f"{name}.sqlite3"
        if not path.exists():
            return False
        with sqlite3.connect(path) as db:
            try:
                return bool(db.execute("SELECT 1 FROM bench_generated").fetchone())
            except sqlite3.Error:
                return False
    import psycopg

    try:
        with psycopg.connect(pg.rstrip("/") + "/" + name, connect_timeout=5) as db:
            return bool(db.execute("SELECT 1 FROM bench_generated").fetchone())
    except psycopg.Error:
        return False


def setup_django(url: str) -> None:
    """Point Django at the dataset's database, with the benchmark settings."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def open_dataset(args: argparse.Namespace) -> str:
    """Set Django up on the dataset of these arguments, generating it first if it is missing."""
    name = dataset_name(args.scale, args.seed)
    url = database_url(args.engine, name, args.pg)
    if not exists(args.engine, name, args.pg):
        print(f"bench: generating {name} on {args.engine} first", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.generate",
                "--engine",
                args.engine,
                "--scale",
                str(args.scale),
                "--seed",
                str(args.seed),
                "--pg",
                args.pg,
            ],
            cwd=ROOT,
            check=True,
        )
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a dataset made before a new migration catches up
    return url


def machine() -> dict[str, Any]:
    """The machine and the versions a figure was measured with."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) // 1024
    except OSError:
        pass
    import sqlite3

    import django

    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_mib": ram,
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    try:
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                info["postgresql"] = cursor.fetchone()[0]
                settings = {}
                for name in ("shared_buffers", "work_mem", "fsync", "synchronous_commit"):
                    cursor.execute(f"SHOW {name}")
                    settings[name] = cursor.fetchone()[0]
                info["postgresql_settings"] = settings
    except Exception:  # Django not set up: the machine is still worth recording
        pass
    return info


@dataclass
class Timing:
    """Wall and CPU seconds of each run; the median of each is the figure."""

    wall: list[float]
    cpu: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def as_json(self) -> dict[str, Any]:
        return {
            "median_s": round(self.median, 4),
            "cpu_median_s": round(self.cpu_median, 4),
            "runs_s": [round(t, 4) for t in self.wall],
            "cpu_runs_s": [round(t, 4) for t in self.cpu],
        }


def measure(
    fn: Callable[[], Any], repeat: int = 3, *, after: Callable[[], None] | None = None
) -> tuple[Timing, Any]:
    """Time `repeat` runs of `fn` (wall, and CPU: this process's and its finished children's,
    such as the sheet reader's); and the last result. `after`, untimed, follows each run
    (to put back what a run that commits has changed)."""
    timing = Timing([], [])
    result = None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _cpu()
        try:
            result = fn()
            timing.wall.append(time.perf_counter() - start)
            timing.cpu.append(_cpu() - cpu)
        finally:  # an interrupted run is put back too
            if after is not None:
                after()
    return timing, result


def _cpu() -> float:
    """This process's CPU time (fine-grained) and its finished children's (in clock ticks)."""
    children = os.times()
    return time.process_time() + children.children_user + children.children_system


def load_average() -> list[float]:
    """The machine's load while measuring: other work on it slows every figure."""
    return [round(x, 2) for x in os.getloadavg()]


def write_result(benchmark: str, args: argparse.Namespace, figures: dict[str, Any]) -> Path:
    """bench/results/<benchmark>-<engine>-s<scale>.json, with the machine and the date."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{benchmark}-{args.engine}-s{args.scale}.json"
    data = {
        "benchmark": benchmark,
        "engine": args.engine,
        "scale": args.scale,
        "seed": args.seed,
        "figures": figures,
        "load_average": load_average(),
        "machine": machine(),
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"bench: written {path.relative_to(ROOT)}")
    return path


def show(label: str, timing: Timing) -> None:
    print(
        f"  {label:<60} {timing.median * 1000:>9.1f} ms  (cpu {timing.cpu_median * 1000:.1f} ms)",
        flush=True,
    )
