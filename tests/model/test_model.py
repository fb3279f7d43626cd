"""The model as a whole: determinism, honesty, invariants, batch_run, golden baseline."""
import json
from pathlib import Path

import mesa
import numpy as np
import pytest
from conftest import copy_scenario

from sim.data import load
from sim.data.vocabulary import HOSTILE
from sim.experiments.golden import summary
from sim.experiments.run import Run
from sim.model import AfsimModel, tables_of

ROOT = Path(__file__).resolve().parents[2]


SCENARIO = ROOT / "scenarios" / "afghanistan_1992_1996"


@pytest.fixture(scope="module")
def real():
    return load(SCENARIO)


@pytest.fixture(scope="module")
def runs(real):
    return [AfsimModel(real, seed=s).run() for s in range(6)]


def test_same_seed_same_trajectory(real):
    a = tables_of(AfsimModel(real, seed=11).run())
    b = tables_of(AfsimModel(real, seed=11).run())
    for name in a:
        assert a[name].to_csv() == b[name].to_csv(), name


def test_different_seeds_different_trajectories(runs):
    controls = {tables_of(m)["battles"].to_csv() for m in runs}
    assert len(controls) == len(runs)


def test_every_territory_has_exactly_one_controller_every_month(runs, real):
    n_t = len(real.drivers.territory_ids)
    for model in runs:
        control = tables_of(model)["control"]
        per_month = control.groupby("date")["territory"].agg(["count", "nunique"])
        assert (per_month["count"] == n_t).all() and (per_month["nunique"] == n_t).all()
        assert control["controller"].isin(real.drivers.faction_ids).all()
        assert len(per_month) == real.drivers.end - real.drivers.start + 1


def test_fighters_never_negative(runs):
    for model in runs:
        assert min(float(f.min()) for f in model.history.fighters) >= 0.0
        assert (model.state.garrison >= 0).all()


def test_no_faction_fights_an_ally(runs):
    """Every battle and bought garrison was between factions hostile to each other that month."""
    for model in runs:
        relations = {}
        rel = model.world.relation_start.copy()
        changes = {}
        for month, a, b, code in model.history.relation_changes:
            changes.setdefault(month, []).append((a, b, code))
        for month in model.history.months:
            for a, b, code in changes.get(month, ()):
                rel[a, b] = rel[b, a] = code
            relations[month] = rel.copy()
        for month, battle in model.history.battles:
            assert relations[month][battle.attacker, battle.holder] == HOSTILE
        for month, d in model.history.defections:
            assert relations[month][d.new, d.old] == HOSTILE


def test_taliban_hold_nothing_before_they_enter(runs, real):
    taliban = real.drivers.faction_ids.index("taliban")
    entry = real.drivers.entry_month("taliban")
    for model in runs:
        for month, control in zip(model.history.months, model.history.control, strict=True):
            if month < entry:
                assert not (control == taliban).any()


def test_deleting_observations_changes_nothing(tmp_path, real):
    copy = copy_scenario(tmp_path)
    (copy / "observations.csv").unlink()
    text = (copy / "scenario.yaml").read_text()
    (copy / "scenario.yaml").write_text(text.replace("observations: observations.csv",
                                                     "observations: none"))
    blind = load(copy)
    assert blind.observations == ()
    assert blind.drivers.hash == real.drivers.hash
    Run(real, seed=3).save(tmp_path / "a")
    Run(blind, seed=3).save(tmp_path / "b")
    for name in ("control", "factions", "alliances", "battles", "support"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()


def test_golden_baseline(real):
    expected = json.loads((ROOT / "tests" / "golden" / "baseline.json").read_text())
    assert summary(real) == expected, "model output changed: if deliberate, run tools/make_golden.py"


def test_batch_run_works_with_explicit_seeds(real):
    results = mesa.batch_run(AfsimModel, parameters={"scenario": [real], "seed": [1, 2],
                                                     "end": ["1993-06"], "csf_exponent": [1.5]},
                             iterations=1, number_processes=1, max_steps=100,
                             display_progress=False)
    assert len(results) == 2
    assert {r["seed"] for r in results} == {1, 2}
    direct = AfsimModel(real, seed=2, end="1993-06").run()
    by_seed = {r["seed"]: r for r in results}
    for faction in real.drivers.faction_ids:
        assert by_seed[2][f"provinces_{faction}"] == direct.provinces_of(faction)
    assert by_seed[2]["month"] == direct.state.month
    assert by_seed[1]["month"] == by_seed[2]["month"]


def test_unknown_parameter_is_rejected_with_the_valid_names(real):
    with pytest.raises(ValueError, match="unknown parameter 'nope'; valid names: alliances"):
        AfsimModel(real, seed=1, nope=3)
    with pytest.raises(ValueError, match="outside its range"):
        AfsimModel(real, seed=1, csf_exponent=99)


def test_endogenous_alliances_run_and_stay_symmetric(real):
    model = AfsimModel(real, seed=4, alliances="endogenous").run()
    assert model.mode == "endogenous"
    assert (model.state.relation == model.state.relation.T).all()
    recorded = AfsimModel(real, seed=4).run()
    assert tables_of(model)["alliances"].to_csv() != tables_of(recorded)["alliances"].to_csv()


def test_run_past_the_window_has_no_drivers_but_goes_on(real):
    model = AfsimModel(real, seed=2, end="1997-06").run()
    assert model.history.months[-1] == real.drivers.end + 9


def test_an_event_of_the_start_month_acts_on_the_initial_state(tmp_path):
    from conftest import ScenarioEditor
    from tiny import write_tiny

    from sim.data.dates import format_month
    folder = write_tiny(tmp_path / "tiny")
    start = load(folder).drivers.start
    ScenarioEditor(folder).append_row(
        "events.csv", {"date": format_month(start), "kind": "head_of_state", "actor": "red",
                       "resources": "250", "source": "approx: test"})
    model = AfsimModel(load(folder), seed=1)
    red = model.world.faction_ids.index("red")
    assert model.state.month == start and model.state.state_revenue[red] == 250.0


def test_momentum_is_the_average_of_the_recorded_net_gains(real):
    import numpy as np

    from sim.mechanisms import momentum
    model = AfsimModel(real, seed=3, end="1995-06", momentum_weight=2.0).run()
    n_f = model.world.n_factions
    expected = np.zeros(n_f)
    controls = model.history.control
    for before, after in zip(controls, controls[1:], strict=False):
        expected = momentum.update(expected, momentum.net_taken(before, after, n_f), 3.0)
    assert np.allclose(model.state.momentum, expected)
    assert model.state.momentum.max() > 0.0        # somebody took ground lately
    assert tables_of(model)["control"].to_csv() != tables_of(
        AfsimModel(real, seed=3, end="1995-06").run())["control"].to_csv()


def test_volunteers_who_go_home_leave_the_army_they_joined(real):
    stay = AfsimModel(real, seed=3, end="1995-06").run()
    back = AfsimModel(real, seed=3, end="1995-06", volunteer_return=0.5).run()
    w = stay.world
    joined = w.volunteers.sum(axis=0) > 0                       # factions a backer sends men to
    assert joined.any() and (stay.state.volunteers == 0).all()  # 0: nobody counted or sent home
    assert (back.state.volunteers[joined] > 0).all()
    assert (back.state.volunteers[~joined] == 0).all()
    assert (back.state.volunteers <= back.state.garrison.sum(axis=1) + 1e-6).all()
    # half of them leave each month: fewer serve than in an army where they stay
    assert (back.state.volunteers[joined] < w.volunteers.sum(axis=0)[joined] * 2.1).all()
    assert tables_of(back)["factions"].to_csv() != tables_of(stay)["factions"].to_csv()


def test_an_earmark_fills_only_the_purses_of_factions_a_backer_pays(real):
    model = AfsimModel(real, seed=3, end="1994-12", earmark_share=0.5)
    grew = 0
    while model.running:
        before = model.state.purse.copy()
        model.step()
        backed = model.state.support > 0
        # a faction no backer pays never gets money into its purse
        assert (model.state.purse[~backed] <= before[~backed] + 1e-9).all()
        grew += int((model.state.purse[backed] > before[backed]).any())
    assert grew > 12                               # backers pay every month of 1992-94


def test_the_purse_only_grows_except_by_the_commanders_it_buys(real):
    model = AfsimModel(real, seed=3, end="1995-06", purse_share=0.3)
    seen = 0
    while model.running:
        before = model.state.purse.copy()
        n = len(model.history.defections)
        model.step()
        after = model.state.purse
        paid = np.zeros_like(before)
        for _, d in model.history.defections[n:]:
            paid[d.new] += d.price
        assert (after >= 0).all()
        assert (after >= before - paid - 1e-9).all()   # it falls only by what was bought
        seen += int(paid.sum() > 0)
    assert model.state.purse.max() > 0 and seen > 0
    stay = AfsimModel(real, seed=3, end="1995-06").run()
    assert (stay.state.purse == 0).all()
    # the factions' money in the output counts both accounts
    assert np.allclose(model.history.resources[-1], model.state.resources + model.state.purse)
