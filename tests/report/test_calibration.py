"""The report's calibration section: what it says about the posterior it shows."""

import yaml

from sim.data import load
from sim.report.calibration import posterior_section


def test_the_section_tells_the_fit_its_weight_and_its_range_limits(scenario_copy, tmp_path):
    title, body = posterior_section(load(scenario_copy).posterior, tmp_path)
    prov = yaml.safe_load((scenario_copy / "posterior.yaml").read_text())["provenance"]
    assert title == "Calibration: the posterior" and (tmp_path / "posterior.png").is_file()
    k = prov["runs_per_particle"]
    assert f"{prov['simulations']} parameter sets tried, each on {k} run" in body
    assert f"Effective sample size {prov['effective_sample_size']:g} of {prov['population']}" in body
    assert "the weight is spread over many parameter sets" in body      # 237 of 400
    assert f"record {prov['final_distances']['record']:.3f}" in body
    # a degenerate posterior, and a marginal on a range limit, are said plainly
    path = scenario_copy / "posterior.yaml"
    record = yaml.safe_load(path.read_text())
    record["provenance"]["effective_sample_size"] = 7.7
    name = record["parameters"][0]
    record["provenance"]["marginals"][name]["limit"] = "low"
    path.write_text(yaml.safe_dump(record, sort_keys=False))
    _, body = posterior_section(load(scenario_copy).posterior, tmp_path)
    assert "<strong>the weight sits on a few parameter sets</strong>" in body
    assert f"1 of {len(record['parameters'])} parameters pile up against a range limit ({name})" in body
