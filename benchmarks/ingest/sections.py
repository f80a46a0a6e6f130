"""Sections of the results document: the machine, HTTP's share of the server's CPU, the
cProfile ranking and the options measured on one batch, py-spy's shares, the disk used."""

from __future__ import annotations

import contextlib
import statistics
from pathlib import Path
from typing import TYPE_CHECKING

from _common import machine_lines as common_machine_lines
from _common import md_table, version
from ingest.pyspy import HTTP_CATEGORIES
from ingest.settings import ARROW_BATCH, JSON_BATCH, PACKAGES, Json
from ingest.tables import ENCODING_HEADER, TOP_HEADER, encoding_rows, spy_rows, top_rows

if TYPE_CHECKING:
    from ingest.report import Report


def machine_lines(git_at_start: str, home: Path) -> list[str]:
    """Facts about the machine and software the numbers were taken on, and where the store
    and raw log were written."""
    extras = [p for p in ("httptools", "uvloop", "orjson") if version(p) != "not installed"]
    lines = common_machine_lines(git_at_start, PACKAGES)
    lines.insert(1, f"- Store and raw log on: {_filesystem(home)}")
    lines.insert(
        -1,
        "- Optional speed-ups installed: "
        + (
            ", ".join(extras)
            or "none (uvicorn runs on h11 and asyncio; no httptools, uvloop or orjson)"
        ),
    )
    return lines


def _filesystem(path: Path) -> str:
    """Device and type of the file system holding ``path``, from ``/proc/mounts``."""
    best = ("", "unknown", "unknown")
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            device, mount, kind = line.split()[:3]
            if str(path.resolve()).startswith(mount) and len(mount) > len(best[0]):
                best = (mount, device, kind)
    return f"{best[2]} on {best[1]} (mounted at {best[0] or '?'})"


def http_overhead_lines(report: Report) -> list[str]:
    """Server CPU per request in the live runs next to the in-process CPU per batch."""
    if "error" in report.breakdown:
        return []
    out = []
    for kind, batch in (("json", JSON_BATCH), ("arrow", ARROW_BATCH)):
        live = [
            r.server_cpu_s * 1000 / r.total("requests")
            for r in report.results
            if r.ok
            and r.total("requests")
            and r.scenario.group == "main"
            and r.scenario.kinds == kind
            and len(r.scenario.clients) == 1
            and r.scenario.clients[0].batch == batch
        ]
        if not live:
            continue
        server_ms = statistics.fmean(live)
        inproc = report.breakdown[kind]["cpu_ms"]
        spy = report.spies.get(f"{kind}-4 (% of samples)", {}).get("shares", {})
        http = sum(spy.get(c, 0.0) for c in HTTP_CATEGORIES)
        spy_text = f"; py-spy puts {http:.0%} of the live server's samples there" if spy else ""
        out.append(
            f"- {kind.upper()} ({batch:,} rows): the live server used {server_ms:,.0f} ms of CPU "
            f"per request with 1 client; the in-process replay {inproc:,.0f} ms of CPU per "
            f"batch. The difference ({server_ms - inproc:+,.0f} ms, within the noise of two "
            "separate measurements) is what HTTP parsing, FastAPI and the two thread hops (the "
            f"token lookup, then the route) add{spy_text}."
        )
    return out


def _blob_lines(breakdown: Json) -> list[str]:
    out = []
    for kind in ("json", "arrow"):
        b = breakdown[kind]["blob"]
        rows = breakdown[kind]["batch"]
        out.append(
            f"- {kind.upper()} batch ({rows:,} rows, one window): `window_parts` "
            f"{b['window_parts_ms']:.1f} ms, of which `profile(..., reference=...)` "
            f"{b['profile_ms']:.1f} ms; `serialize.dumps` of the window profile "
            f"{b['dumps_ms']:.1f} ms for a {b['blob_bytes'] / 1024:,.0f} KiB blob "
            f"({b['payload_bytes'] / 1024:,.0f} KiB of JSON before compression), "
            f"`serialize.loads` {b['loads_ms']:.1f} ms. Zstandard level 1 (the envelope now) "
            f"takes {b['zstd1_ms']:.1f} ms of it; zlib level 6 (the envelope before) would take "
            f"{b['zlib6_ms']:.1f} ms ({b['zlib6_bytes'] / 1024:,.0f} KiB), zlib level 1 "
            f"{b['zlib1_ms']:.1f} ms ({b['zlib1_bytes'] / 1024:,.0f} KiB)."
        )
    return out


def options_section(breakdown: Json) -> list[str]:
    """The cProfile ranking and the options measured on one stored batch."""
    if "error" in breakdown:
        return []
    lines = [
        "### Heaviest functions in-process (cProfile)",
        "",
        "Own time per batch (cProfile adds its overhead to every Python call, so these are "
        "larger than the stage times above; read them as a ranking).",
        "",
    ]
    for kind in ("json", "arrow"):
        lines += [
            f"{kind.upper()}, {breakdown[kind]['batch']:,} rows per batch:",
            "",
            md_table(TOP_HEADER, top_rows(breakdown, kind)),
            "",
        ]
    lines += [
        "### Options measured on one stored batch",
        "",
        "Median of 5 encodings of the same table to memory (the raw log uses the first row).",
        "",
        md_table(ENCODING_HEADER, encoding_rows(breakdown)),
        "",
        *_blob_lines(breakdown),
        "",
    ]
    return lines


def spy_section(report: Report) -> list[str]:
    """py-spy's shares of the live server's samples, or why there are none."""
    lines = ["### Sampled in the live server (py-spy)", ""]
    if not report.spies:
        return [*lines, report.spy_note, ""]
    return [
        *lines,
        report.spy_note,
        "",
        md_table(("Stage", *report.spies), spy_rows(report.spies)),
        "",
    ]


def disk_lines(disk: Json) -> list[str]:
    """The rows, batches and bytes on disk after the whole run."""
    if not disk:
        return ["Not measured."]
    rows = disk["rows"]
    per_row = disk["raw_bytes"] / rows if rows else 0.0
    db_per_batch = disk["db_bytes"] / disk["batches"] if disk["batches"] else 0.0
    return [
        f"- After the whole run: {rows:,} rows in {disk['batches']:,} batches; raw log "
        f"{disk['raw_bytes'] / 2**20:,.0f} MiB ({per_row:,.0f} bytes per prediction, Parquet "
        f"zstd), SQLite store {disk['db_bytes'] / 2**20:,.0f} MiB "
        f"({db_per_batch / 1024:,.0f} KiB per batch, mostly the window-profile blobs).",
    ]
