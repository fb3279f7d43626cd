"""The package's structure is a rule, not a habit: layers, honesty, no scenario ids in code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml
from conftest import REPO_ROOT, SCENARIOS_DIR

SIM = REPO_ROOT / "sim"

# layer -> the layers it may import (besides itself). Analysis and the report read result
# tables: neither imports the model (nor what runs it); nothing imports the command line.
ALLOWED = {
    "_version": set(),
    "data": {"_version"},
    "core": {"data"},
    "mechanisms": {"data", "core"},
    "model": {"data", "core", "mechanisms"},
    "analysis": {"data", "core"},
    "experiments": {"_version", "data", "core", "mechanisms", "model", "analysis"},
    "report": {"data", "core", "analysis"},
    "api": {"data", "core", "analysis", "experiments", "report", "model", "mechanisms"},
    "cli": {"_version", "data", "core", "analysis", "experiments", "report", "api", "model"},
    "explorer": {"data", "core", "analysis", "experiments", "report", "model"},
}


def _layer(path: Path) -> str:
    rel = path.relative_to(SIM)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``sim.<layer>`` import of a module, at any depth (lazy imports count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.append((node.lineno, parts[1]))
            else:  # from sim import x
                found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[1]) for a in node.names
                      if a.name.startswith("sim.")]
    return found


def _modules() -> list[Path]:
    return sorted(p for p in SIM.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")
                  or _layer(p) != p.stem)


def test_every_layer_imports_only_the_layers_below_it():
    wrong = []
    for path in _modules():
        if path.parent == SIM:  # sim/__init__.py, sim/__main__.py: the namespace itself
            continue
        layer = _layer(path)
        assert layer in ALLOWED, f"{path}: a module outside the known layers"
        for line, target in _imports(path):
            if target != layer and target not in ALLOWED[layer]:
                wrong.append(f"{path.relative_to(REPO_ROOT)}:{line}: {layer} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_nothing_imports_the_command_line():
    users = [f"{p.relative_to(REPO_ROOT)}:{line}" for p in SIM.rglob("*.py")
             if _layer(p) not in ("cli", "__main__") for line, t in _imports(p) if t == "cli"]
    assert not users


def test_the_model_is_given_drivers_only():
    """The honesty rule, structurally: the model layer never names an observation or the
    record, and the model object keeps no scenario."""
    for path in (SIM / "model").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(node, "attr", None) or getattr(node, "id", None)
            assert name not in ("observations", "totals", "record_table"), (path, node.lineno)
    import sim
    from sim.model import AfsimModel
    model = AfsimModel(sim.load(SCENARIOS_DIR / "afghanistan_1992_1996"), seed=1, end="1992-06")
    held = [name for name, value in vars(model).items() if isinstance(value, sim.Scenario)]
    assert held == [] and isinstance(model.drivers, sim.Drivers)


def _scenario_ids() -> set[str]:
    """Every territory, faction and backer id of every scenario in the repository."""
    ids: set[str] = set()
    for folder in SCENARIOS_DIR.iterdir():
        if not (folder / "scenario.yaml").is_file():
            continue
        ids |= {line.split(",")[0] for line in
                (folder / "territories.csv").read_text().splitlines()[1:] if line}
        ids |= set(yaml.safe_load((folder / "factions.yaml").read_text())["factions"])
        ids |= set(yaml.safe_load((folder / "backers.yaml").read_text())["backers"] or {})
    return ids


def test_no_scenario_id_is_written_in_library_code():
    ids = _scenario_ids()
    assert {"AF-KAB", "taliban", "pakistan"} <= ids
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(sorted(map(re.escape, ids), key=len,
                                                           reverse=True)) + r")(?![\w-])")
    hits = []
    for path in SIM.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = pattern.search(line)
            if match:
                hits.append(f"{path.relative_to(REPO_ROOT)}:{number}: {match.group(1)}")
    assert not hits, "\n".join(hits)


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(REPO_ROOT)): n for p in SIM.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 500}
    assert not long
