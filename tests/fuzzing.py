"""A scenario fuzzer: copies of the real scenario, each damaged in one way a careless or hostile
user might, fed to ``afsim validate`` in process.

Each case ends in one of: ``exit0`` (still valid), ``exit2`` (refused, every message line
``file:line: message``), ``traceback`` (an exception escaped the command: a bug), ``bad`` (exit
2 with a message that is not ``file:line: ...``: a bug) or ``hang`` (over the time limit: a
bug). Used by ``tests/data/test_loader_fuzz.py`` (a few hundred cases) and
``benchmarks/fuzz_scenarios.py`` (ten thousand).
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import shutil
import signal
from pathlib import Path

from sim.cli import main

CSV_FILES = ("territories.csv", "adjacency.csv", "initial_control.csv", "events.csv",
             "observations.csv", "alliances.csv")
YAML_FILES = ("scenario.yaml", "factions.yaml", "backers.yaml")
PROBLEM = re.compile(r"^[^:\n]+:\d+: .+")
SUMMARY = re.compile(r"^(\d+ problem\(s\) found; nothing was loaded\.|\.\.\. and \d+ more .*)$")


class Hang(Exception):
    pass


def _alias_bomb(text: str, rng: random.Random) -> str:
    bomb = "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
    return bomb + text


def _deep(text: str, rng: random.Random) -> str:
    depth = rng.choice([50, 500, 5000])
    return text.replace("\n", "\nzz: " + "[" * depth + "]" * depth + "\n", 1)


def _number(text: str, rng: random.Random) -> str:
    numbers = list(re.finditer(r"(?<![\w.-])\d+(\.\d+)?(?![\w-])", text))
    if not numbers:
        return text
    m = rng.choice(numbers)
    new = rng.choice(["nan", "inf", "-inf", "1e308", "1e19", "-1", "0", "1e-320", "-0",
                      "99999999999999999999", "0x10", "1_000"])
    return text[:m.start()] + new + text[m.end():]


def _truncate(text: str, rng: random.Random) -> str:
    return text[:rng.randrange(len(text) + 1)]


def _bom(text: str, rng: random.Random) -> str:
    return "\ufeff" + text


def _swap_ids(text: str, rng: random.Random) -> str:
    ids = re.findall(r"AF-[A-Z]{3}(?:\.[a-z_]+)?|\b(?:jamiat|taliban|junbish|wahdat|pakistan|iran)\b",
                     text)
    if len(ids) < 2:
        return text
    a, b = rng.sample(ids, 2)
    return text.replace(a, "\0TMP\0").replace(b, a).replace("\0TMP\0", b)


def _dup_line(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return text
    i = rng.randrange(1, len(lines))
    return "".join(lines[:i] + [lines[i]] + lines[i:])


def _delete_line(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def _garbage(text: str, rng: random.Random) -> str:
    pos = rng.randrange(len(text) + 1)
    junk = rng.choice(["\0", "\x85", "\"", ",,,,", ":", "- [", "{", "\t", "é" * 3, "\ud800"])
    return text[:pos] + junk + text[pos:]


TEXT_MUTATIONS = (_number, _truncate, _bom, _swap_ids, _dup_line, _delete_line, _garbage)
YAML_MUTATIONS = (_alias_bomb, _deep)


def mutate(folder: Path, rng: random.Random) -> str:
    """Damage ``folder`` (a scenario copy) in one way; return a label of what was done."""
    kind = rng.random()
    if kind < 0.06:                                      # a file that is not a file
        name = rng.choice(CSV_FILES + YAML_FILES)
        (folder / name).unlink()
        how = rng.choice(["missing", "directory", "symlink", "empty"])
        if how == "directory":
            (folder / name).mkdir()
        elif how == "symlink":
            (folder / name).symlink_to(rng.choice(["/etc/passwd", "/nonexistent", "/dev/null"]))
        elif how == "empty":
            (folder / name).write_text("")
        return f"{how}:{name}"
    if kind < 0.16:
        name = rng.choice(YAML_FILES)
        mutation = rng.choice(YAML_MUTATIONS)
    else:
        name = rng.choice(CSV_FILES + YAML_FILES)
        mutation = rng.choice(TEXT_MUTATIONS)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    new = mutation(text, rng)
    try:
        path.write_text(new, encoding="utf-8", errors="surrogatepass")
    except UnicodeEncodeError:
        path.write_bytes(new.encode("utf-8", "replace"))
    return f"{mutation.__name__.strip('_')}:{name}"


def _alarm(signum, frame):
    raise Hang()


def run_case(source: Path, work: Path, seed: int, limit: int = 10) -> tuple[str, str, str]:
    """One case: copy, damage, validate. Returns (outcome, what was done, first stderr line)."""
    rng = random.Random(seed)
    folder = work / f"case{seed}"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(source, folder, symlinks=True)
    label = mutate(folder, rng)
    err = io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["validate", str(folder)])
    except Hang:
        return "hang", label, ""
    except BaseException as exc:  # noqa: BLE001 - any escape is what we are looking for
        return "traceback", label, f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        shutil.rmtree(folder, ignore_errors=True)
    lines = err.getvalue().splitlines()
    if code == 0:
        return "exit0", label, ""
    if code == 2 and lines and all(PROBLEM.match(x) or SUMMARY.match(x) for x in lines):
        return "exit2", label, lines[0]
    return "bad", label, (lines[0] if lines else f"exit {code}, no message")


def source_scenario() -> Path:
    return Path(__file__).resolve().parents[1] / "scenarios" / "afghanistan_1992_1996"


__all__ = ["run_case", "source_scenario"]
