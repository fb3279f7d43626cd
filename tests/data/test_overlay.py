"""Overlays: counterfactuals as changes to a base scenario, validated like a scenario."""

import numpy as np
import pytest
import yaml
from conftest import SCENARIO_DIR

import sim
from sim.cli import main
from sim.data import ValidationError, load
from sim.data.vocabulary import NEVER


def write(tmp_path, **data):
    data = {"base": str(SCENARIO_DIR), "name": "variant", **data}
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_an_overlay_is_an_ordinary_scenario_with_its_own_hash(tmp_path):
    base = load(SCENARIO_DIR)
    path = write(tmp_path, title="Pakistan keeps Hekmatyar", changes=[
        {"proxy": {"backer": "pakistan", "faction": "hezb_gulbuddin", "to": None}},
        {"drop_proxy": {"backer": "pakistan", "faction": "taliban"}},
        {"drop_entry": "taliban"}], parameters={"csf_exponent": 2.0}, backers="endogenous")
    sc = load(path)
    pakistan = next(b for b in sc.drivers.backers if b.id == "pakistan")
    assert [(w.faction, w.end) for w in pakistan.proxies] == [("hezb_gulbuddin", None)]
    assert sc.drivers.entry_month("taliban") == NEVER
    assert sc.drivers.parameters["csf_exponent"] == 2.0 and sc.drivers.backer_mode == "endogenous"
    assert sc.content_hash != base.content_hash and sc.drivers.hash != base.drivers.hash
    assert sc.origin["base"] == str(SCENARIO_DIR.resolve()) and sc.title == "Pakistan keeps Hekmatyar"
    run = sim.Run(sc, seed=1, end="1995-06").run()
    taliban = run.factions[run.factions["faction"] == "taliban"]
    assert (taliban["provinces"] == 0).all() and (taliban["fighters"] == 0).all()


def test_bad_overlays_are_refused_with_file_and_line(tmp_path, capsys):
    path = write(tmp_path, changes=[
        {"drop_proxy": {"backer": "pakistan", "faction": "nobody"}},
        {"remove_event": {"kind": "coup"}},
        {"add_event": {"date": "1994-11", "kind": "note", "actor": "taliban",
                       "target": "AF-KAN"}},
        {"teleport": {}}], parameters={"csf": 1})
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    text = path.read_text().splitlines()
    def line(needle):
        return next(i for i, t in enumerate(text, start=1) if needle in t)
    assert f"{path}:{line('drop_proxy')}: pakistan has no window on 'nobody'" in err
    assert f"{path}:{line('remove_event')}: no event of the base matches" in err
    assert "restates an observation" in err              # the honesty rule
    assert f"{path}:{line('teleport')}: unknown change 'teleport'" in err
    assert "unknown parameter 'csf'" in err and "Traceback" not in err
    with pytest.raises(ValidationError):
        sim.with_changes(load(SCENARIO_DIR), [{"drop_entry": "nobody"}])


def test_an_empty_overlay_changes_nothing_in_any_replicate(tmp_path):
    same = load(write(tmp_path))
    a = sim.Ensemble(SCENARIO_DIR, replicates=3, seed=4, end="1994-06").run()
    b = sim.Ensemble(same, replicates=3, seed=4, end="1994-06").run()
    assert a.control.equals(b.control) and a.factions.equals(b.factions)


def test_a_late_change_leaves_every_replicate_identical_before_it(tmp_path):
    base = load(SCENARIO_DIR)
    late = sim.with_changes(base, [{"move_event": {"match": {"kind": "backer_budget",
                                                             "actor": "pakistan"},
                                                   "to": "1996-06"}}])
    a = sim.Ensemble(base, replicates=4, seed=2).run().control
    b = sim.Ensemble(late, replicates=4, seed=2).run().control
    before = a["date"] < "1996-01"
    assert a[before].equals(b[before])                   # common random numbers
    assert not a[~before].equals(b[~before])             # and the change does matter after


def test_compare_gives_paired_differences(tmp_path, capsys):
    base = load(SCENARIO_DIR)
    no_taliban = sim.with_changes(base, [{"drop_entry": "taliban"}], name="no_taliban",
                                  title="No Taliban")
    a = sim.Ensemble(base, replicates=4, seed=3).run(out=tmp_path / "a")
    b = sim.Ensemble(no_taliban, replicates=4, seed=3).run(out=tmp_path / "b")
    result = sim.compare(a, b, out=tmp_path / "cmp")
    base_run, variant = result["runs"]
    assert variant["title"] == "No Taliban"
    assert variant["focus_end"]["mean"] == 0.0           # no Taliban, no Taliban provinces
    assert variant["focus_end"]["difference"] == pytest.approx(-base_run["focus_end"]["mean"])
    assert variant["capital_fall_share"] == 0.0
    assert (tmp_path / "cmp" / "index.html").is_file() and (tmp_path / "cmp" / "provinces.png").is_file()
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out",
                 str(tmp_path / "cmp2")]) == 0
    assert "No Taliban" in capsys.readouterr().out
    c = sim.Ensemble(base, replicates=4, seed=9).run(out=tmp_path / "c")
    with pytest.raises(ValueError, match="seeds differ"):
        sim.compare(a, c)
    assert np.isfinite(base_run["focus_end"]["mean"])
