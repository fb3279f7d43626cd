"""Random damage to the real scenario's files: the loader either loads the result or
raises ValidationError with its problems; it never fails with any other exception."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from conftest import SCENARIO_DIR, copy_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.data import Scenario, load
from sim.data.problems import ValidationError

FILES = (
    "scenario.yaml", "territories.csv", "adjacency.csv", "factions.yaml", "backers.yaml",
    "initial_control.csv", "events.csv", "observations.csv", "alliances.csv",
)
ORIGINAL = {name: (SCENARIO_DIR / name).read_bytes() for name in FILES}
NUMBER = re.compile(r"\d+(?:\.\d+)?")
OPERATIONS = ("delete_cell", "change_number", "swap_ids", "truncate", "duplicate_line",
              "delete_line")

# a replacement for a number: another number, or any short text (commas, quotes, newlines...)
REPLACEMENTS = st.one_of(
    st.integers(-10**9, 10**9).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=8),
)


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy (with the maps) whose data files each example overwrites."""
    return copy_scenario(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def id_pattern(scenario: Scenario) -> re.Pattern[str]:
    """Every territory, faction and backer id of the real scenario, as whole words."""
    d = scenario.drivers
    ids = sorted({*d.territory_ids, *d.faction_ids, *d.backer_ids}, key=len, reverse=True)
    return re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w.-])")


def _delete_cell(data: st.DataObject, name: str, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    if name.endswith(".csv"):
        cells = next(csv.reader([lines[i]]), [])
        if not cells:
            return text
        cells[data.draw(st.integers(0, len(cells) - 1), label="cell")] = ""
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(cells)
        lines[i] = out.getvalue()
    else:  # YAML: drop the value after "key:"
        key, sep, _ = lines[i].partition(":")
        if sep:
            lines[i] = key + ":\n"
    return "".join(lines)


def _change_number(data: st.DataObject, text: str) -> str:
    spans = [m.span() for m in NUMBER.finditer(text)]
    if not spans:
        return text
    a, b = data.draw(st.sampled_from(spans), label="number")
    return text[:a] + data.draw(REPLACEMENTS, label="replacement") + text[b:]


def _swap_ids(data: st.DataObject, text: str, pattern: re.Pattern[str]) -> str:
    found = list(pattern.finditer(text))
    if len(found) < 2:
        return text
    i, j = sorted(data.draw(st.lists(st.integers(0, len(found) - 1), min_size=2, max_size=2,
                                     unique=True), label="ids"))
    x, y = found[i], found[j]
    return (text[:x.start()] + y.group() + text[x.end():y.start()] + x.group()
            + text[y.end():])


def _mutate(data: st.DataObject, name: str, raw: bytes, pattern: re.Pattern[str]) -> bytes:
    operation = data.draw(st.sampled_from(OPERATIONS), label="operation")
    if operation == "truncate":
        return raw[: data.draw(st.integers(0, len(raw)), label="byte")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # already truncated inside a character
        return raw
    if operation in ("duplicate_line", "delete_line"):
        lines = text.splitlines(keepends=True)
        if not lines:
            return raw
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        if operation == "duplicate_line":
            lines.insert(i, lines[i] if lines[i].endswith("\n") else lines[i] + "\n")
        else:
            del lines[i]
        text = "".join(lines)
    elif operation == "delete_cell":
        text = _delete_cell(data, name, text)
    elif operation == "change_number":
        text = _change_number(data, text)
    else:
        text = _swap_ids(data, text, pattern)
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_damaged_scenario_loads_or_raises_validation_error(data, fuzz_folder, id_pattern):
    contents = dict(ORIGINAL)
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        name = data.draw(st.sampled_from(FILES), label="file")
        contents[name] = _mutate(data, name, contents[name], id_pattern)
    for name, raw in contents.items():
        (fuzz_folder / name).write_bytes(raw)

    try:
        scenario = load(fuzz_folder)
    except ValidationError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert isinstance(problem.file, str) and problem.file
            assert problem.line >= 0
            assert problem.message.strip()
    else:
        assert isinstance(scenario, Scenario)
        assert scenario.summary()  # a loaded scenario is whole enough to describe


def test_fuzz_baseline_loads(fuzz_folder, scenario):
    """Undamaged, the fuzz copy loads like the real scenario (the harness itself is sound)."""
    for name, raw in ORIGINAL.items():
        (fuzz_folder / name).write_bytes(raw)
    assert load(fuzz_folder).content_hash == scenario.content_hash


def test_a_few_hundred_damaged_copies_never_escape_as_tracebacks_or_hangs(tmp_path):
    """The hostile-input fuzzer (tests/fuzzing.py; 10,000 cases in
    benchmarks/fuzz_scenarios.py): alias bombs, deep nesting, BOM, NaN/inf, huge and tiny
    numbers, empty and truncated files, symlinks, directories in place of files."""
    from collections import Counter

    from fuzzing import run_case, source_scenario
    outcomes = Counter()
    failures = []
    for seed in range(250):
        outcome, label, first = run_case(source_scenario(), tmp_path, seed, limit=10)
        outcomes[outcome] += 1
        if outcome not in ("exit0", "exit2"):
            failures.append((seed, outcome, label, first))
    assert failures == []
    assert outcomes["exit2"] > 100 and outcomes["exit0"] > 0


def test_a_value_with_a_newline_is_quoted_on_one_line():
    # found by benchmarks/fuzz_scenarios.py (10,000 cases: 11 such): a CSV cell may hold a
    # newline, and a message quoting it then broke the one-problem-one-line rule
    from sim.data.problems import Problems
    problems = Problems()
    problems.add("events.csv", 10, 'quote not found in x.txt: "On 13 August\nA rocket\r\x85"')
    (problem,) = problems.items
    assert len(str(problem).splitlines()) == 1
    assert 'On 13 August\\nA rocket\\r\\x85' in str(problem)
