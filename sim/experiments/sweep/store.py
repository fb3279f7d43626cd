"""A sweep's directory: part files written atomically, combined at the end, resumed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim._version import __version__
from sim.data import Scenario
from sim.data.params import BY_NAME
from sim.experiments.sweep.spec import SweepSpec

BATCH = 250            # rows per part file at most


FLUSH_SECONDS = 10.0   # ... and a part at least this often while rows arrive


def schema(spec: SweepSpec) -> pa.Schema:
    fields = [pa.field(n, pa.int64()) for n in ("run", "point", "replicate", "seed")]
    for axis in spec.parameters:
        numeric = BY_NAME[axis.name].numeric
        fields.append(pa.field(axis.name, pa.float64() if numeric else pa.string()))
    fields += [pa.field(n, pa.float64()) for n in spec.outputs]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_table_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    _fsync(tmp)
    os.replace(tmp, path)


def write_text_atomic(text: str, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, path)


class Parts:
    """Buffers rows and writes them as numbered part files, each one atomically."""

    def __init__(self, folder: Path, schema: pa.Schema, batch: int, next_index: int):
        self.folder, self.schema, self.batch = folder, schema, batch
        self.index = next_index
        self.rows: list[dict] = []
        self.last = time.monotonic()

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch or time.monotonic() - self.last >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            table = pa.Table.from_pylist(self.rows, schema=self.schema)
            write_table_atomic(table, self.folder / f"part-{self.index:05d}.parquet")
            self.index += 1
            self.rows = []
        self.last = time.monotonic()


def part_files(out: Path) -> list[Path]:
    return sorted((out / "parts").glob("part-*.parquet"))


def part_index(path: Path) -> int:
    return int(path.stem.split("-")[1])


def done_runs(out: Path, schema: pa.Schema) -> set[int]:
    done: set[int] = set()
    for part in part_files(out):
        if not pq.read_schema(part).equals(schema):
            raise ValueError(f"{part}: its columns differ from this sweep's; cannot resume")
        done.update(pq.read_table(part, columns=["run"])["run"].to_pylist())
    return done


def combine(out: Path, schema: pa.Schema, n_runs: int) -> Path:
    """All parts into ``results.parquet``, sorted by run (refuses missing or repeated runs)."""
    parts = part_files(out)
    table = (pa.concat_tables([pq.read_table(p, schema=schema) for p in parts]) if parts
             else schema.empty_table())
    runs = table["run"].to_numpy()
    counts = np.bincount(runs, minlength=n_runs) if len(runs) else np.zeros(n_runs, int)
    if len(counts) > n_runs or (counts != 1).any():
        missing = int((counts[:n_runs] == 0).sum())
        repeated = int((counts > 1).sum())
        raise RuntimeError(f"{out}: parts hold {missing} missing and {repeated} repeated runs "
                           f"out of {n_runs}")
    table = table.take(pa.array(np.argsort(runs, kind="stable"))).combine_chunks()
    path = out / "results.parquet"
    write_table_atomic(table, path)
    return path


_OUR_FILES = frozenset({"results.parquet", "results.parquet.tmp", "design.parquet",
                        "design.parquet.tmp", "sweep.json", "sweep.json.tmp", "sweep.lock",
                        "parts"})


def has_sweep_files(out: Path) -> bool:
    """Whether ``out`` holds anything but an empty lock file (a new sweep needs it empty)."""
    if not out.is_dir():
        return False
    return any(e.name != "sweep.lock" or e.stat().st_size for e in out.iterdir())


def foreign_files(out: Path) -> list[str]:
    """Entries of ``out`` that a sweep does not write (and a non-empty ``parts/``)."""
    names = [e.name for e in out.iterdir() if e.name not in _OUR_FILES]
    parts = out / "parts"
    if parts.is_dir() and any(parts.glob("part-*.parquet")):
        names.append("parts")
    return names


def clear(out: Path) -> None:
    """Remove a previous sweep's files (``--force``); other files are left alone."""
    for name in _OUR_FILES - {"parts", "sweep.lock"}:
        (out / name).unlink(missing_ok=True)
    parts = out / "parts"
    if parts.is_dir():
        for p in parts.glob("part-*.parquet*"):
            p.unlink()


def check_resume(out: Path, spec: SweepSpec, scenario: Scenario) -> pd.DataFrame:
    """The saved design, after checking ``sweep.json`` matches the spec and scenario."""
    meta = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    if meta.get("spec_hash") != spec.hash():
        raise ValueError(f"{out}: cannot resume: the spec differs from the one this sweep was "
                         "started with (sweep.json); use --force or another --out")
    if meta.get("scenario", {}).get("content_hash") != scenario.content_hash:
        raise ValueError(f"{out}: cannot resume: the scenario's content differs from the one "
                         "this sweep was started with (sweep.json); use --force or another --out")
    if meta.get("version") != __version__:
        print(f"afsim: warning: {out} was started with afsim {meta.get('version')}; this is "
              f"{__version__}", file=sys.stderr)
    design = pq.read_table(out / "design.parquet").to_pandas()
    if list(design.columns) != ["point", *spec.names] or len(design) != spec.n_points:
        raise ValueError(f"{out}/design.parquet does not match the spec; cannot resume")
    return design


def lock(out: Path):
    """An exclusive lock on the directory for this process (released when it exits)."""
    handle = open(out / "sweep.lock", "a")  # noqa: SIM115 - held for the whole sweep
    try:
        import fcntl
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:
        pass
    except OSError:
        handle.close()
        raise FileExistsError(f"{out}: another sweep is running in this directory") from None
    return handle


def package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None
