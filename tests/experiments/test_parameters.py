"""Parameters per run: drawn from the scenario's posterior by the seed, then fixed values."""

import json

import pytest
import yaml
from conftest import ScenarioEditor
from tiny import write_tiny

import sim
from sim.data import ValidationError, load
from sim.experiments.parameters import ParameterChoice

POSTERIOR = {"parameters": ["csf_exponent", "defection_rate"],
             "samples": [[1, 1.0, 0.1], [1, 2.0, 0.2], [2, 3.0, 0.3]],
             "provenance": {"method": "test"}}


@pytest.fixture
def folder(tmp_path):
    folder = write_tiny(tmp_path / "tiny")
    (folder / "posterior.yaml").write_text(yaml.safe_dump(POSTERIOR))
    ScenarioEditor(folder).replace("scenario.yaml", "parameters: {}\n",
                                   "parameters: {leader_loss: 0.3}\nposterior: posterior.yaml\n")
    return folder


def test_the_posterior_is_read_and_weights_normalised(folder):
    post = load(folder).posterior
    assert post.names == ("csf_exponent", "defection_rate")
    assert post.weights == (0.25, 0.25, 0.5)
    assert post.point() == {"csf_exponent": 2.0, "defection_rate": 0.2}   # weighted median


def test_each_seed_draws_its_set_and_fixed_values_win(folder):
    sc = load(folder)
    choice = ParameterChoice.of(sc, overrides={"defection_rate": 0.9})
    a, b = choice.for_seed(1), choice.for_seed(1)
    assert a == b and a.defection_rate == 0.9 and a.leader_loss == 0.3
    drawn = {ParameterChoice.of(sc).for_seed(s).csf_exponent for s in range(40)}
    assert drawn == {1.0, 2.0, 3.0}                                    # all rows come up
    assert ParameterChoice.of(sc, defaults=True).for_seed(1) == sim.Params.make()


def test_an_ensemble_draws_per_replicate_and_its_manifest_says_so(folder, tmp_path):
    ens = sim.Ensemble(folder, replicates=6, seed=2).run(out=tmp_path / "e")
    meta = json.loads((tmp_path / "e" / "manifest.json").read_text())
    draws = meta["parameter_origin"]["posterior"]["draws"]
    assert len(draws) == 6 and len({d["csf_exponent"] for d in draws}) > 1
    assert meta["parameters"]["csf_exponent"] == 2.0                  # the point (median)
    one = sim.Run(folder, seed=ens.seeds[3]).run()
    assert one.params.csf_exponent == draws[3]["csf_exponent"]       # a run draws as a replicate


@pytest.mark.parametrize("samples, message", [
    ([[1, 1.0]], "a sample is [weight, csf_exponent, defection_rate]"),
    ([[0, 1.0, 0.1]], "weight must be positive"),
    ([[1, 9.0, 0.1]], "outside its range"),
])
def test_a_bad_posterior_is_refused_with_its_line(folder, samples, message):
    (folder / "posterior.yaml").write_text(yaml.safe_dump({**POSTERIOR, "samples": samples}))
    with pytest.raises(ValidationError) as err:
        load(folder)
    assert any(p.file == "posterior.yaml" and message in p.message for p in err.value.problems)
