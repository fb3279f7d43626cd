"""The report of a scored run directory: every figure a real image, every score cell equal
to scores.json, nothing loaded from outside the report folder."""

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from conftest import SCENARIO_DIR

from sim.analysis.scores import score_directory
from sim.experiments.ensemble import run_ensemble
from sim.report.page import write_report
from sim.report.rundata import ScoresMissing

EXTRA = ("Sensitivity (test)", '<p id="extra-section">inserted by the test</p>')


class _Page(HTMLParser):
    """Collects image sources, link targets, scripts and the text of data-key elements."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.scripts = 0
        self.cells: dict[str, str] = {}
        self.headings: list[str] = []
        self._key: str | None = None
        self._heading = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        if tag == "script":
            self.scripts += 1
        for name in ("href", "src"):
            if name in attrs and tag != "img":
                self.links.append(attrs[name])
        if "data-key" in attrs:
            self._key = attrs["data-key"]
            self.cells[self._key] = ""
        self._heading = tag == "h2"

    def handle_endtag(self, tag):
        self._key = None
        self._heading = False

    def handle_data(self, data):
        if self._key is not None:
            self.cells[self._key] += data
        if self._heading:
            self.headings.append(data)


def expected_text(value) -> str:
    """The report's number format, restated: null as —, integers as is, floats to 3 places, a
    skill with its interval as +0.123 [+0.01, +0.25]."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        if value.get("value") is None:
            return "—"
        text = f"{value['value']:+.3f}"
        return text + (f" [{value['low']:+.2f}, {value['high']:+.2f}]" if value.get("low") is not None else "")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def lookup(scores: dict, key: str):
    value = scores
    for part in key.split("."):
        if isinstance(value, list):
            assert part.isdigit() and int(part) < len(value), f"data-key {key!r} is not in scores.json"
            value = value[int(part)]
            continue
        assert isinstance(value, dict) and part in value, f"data-key {key!r} is not in scores.json"
        value = value[part]
    return value


@pytest.fixture(scope="module")
def unscored(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    run_ensemble(out, SCENARIO_DIR, replicates=4, root_seed=1, workers=1, progress=False,
                 end=None)
    return out


@pytest.fixture(scope="module")
def report(unscored: Path, tmp_path_factory) -> tuple[Path, dict, _Page]:
    run_dir = tmp_path_factory.mktemp("scored") / "run"
    shutil.copytree(unscored, run_dir)
    score_directory(run_dir)
    scores = json.loads((run_dir / "scores.json").read_text())  # as the report reads them
    STAGES.clear()
    page = write_report(run_dir, extra_sections=[EXTRA], progress=STAGES.append)
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    return page, scores, parsed


STAGES: list[str] = []


def test_progress_is_told_every_stage_in_order(report):
    assert [s.split(" ")[0] for s in STAGES] == ["reading", "drawing", "writing"]


def test_report_refuses_an_unscored_run(unscored: Path):
    with pytest.raises(ScoresMissing, match="afsim score"):
        write_report(unscored)
    assert not (unscored / "report" / "index.html").exists()


def test_page_is_in_the_run_directory(report):
    page, _, _ = report
    assert page.name == "index.html"
    assert page.parent.name == "report"
    assert (page.parent.parent / "manifest.json").is_file()


def test_every_referenced_png_is_a_real_picture(report):
    page, _, parsed = report
    assert parsed.images, "the page shows no figure"
    assert len(parsed.images) >= 12  # 7 map pairs, provinces, agreement, changes, alliances, tempo
    assert any(h.startswith("The war's tempo") for h in parsed.headings)
    assert set(parsed.images) == {p.name for p in page.parent.glob("*.png")}, \
        "every PNG written is on the page and every image on the page was written"
    for src in parsed.images:
        assert src.endswith(".png") and "/" not in src
        image = mpimg.imread(page.parent / src)
        height, width = image.shape[:2]
        assert width >= 400 and height >= 300, f"{src} is only {width}x{height}"
        rgba = np.ascontiguousarray((image[..., :3] * 255).astype(np.uint8))
        packed = rgba[..., 0].astype(np.uint32) << 16 | rgba[..., 1].astype(np.uint32) << 8 | rgba[..., 2]
        assert len(np.unique(packed)) > 10, f"{src} is (nearly) one flat colour"


def test_page_is_self_contained(report):
    page, _, parsed = report
    text = page.read_text(encoding="utf-8")
    assert parsed.scripts == 0
    assert parsed.links == ["explore.html"]  # the interactive page, beside it
    assert "http://" not in text and "https://" not in text
    assert "Made with Natural Earth" in text


def test_score_cells_equal_scores_json(report):
    _, scores, parsed = report
    assert parsed.cells, "no data-key cells"
    for key, text in parsed.cells.items():
        value = lookup(scores, key)
        if isinstance(value, float) and "." in text and text.count("[") == 0 and text[0] != "+":
            # more decimals where two values of a row would otherwise look equal
            decimals = len(text.split(".")[1])
            assert 3 <= decimals <= 6 and text == f"{value:.{decimals}f}", key
        else:
            assert text == expected_text(value), key


def test_every_score_of_every_window_is_shown(report):
    _, scores, parsed = report
    for window, entry in scores["windows"].items():
        for cells in ("all", "high"):
            for column in ("model", "persistence", "diffusion", "skill_vs_persistence",
                           "skill_vs_diffusion"):
                for metric in entry[cells][column]:
                    assert f"windows.{window}.{cells}.{column}.{metric}" in parsed.cells
                    assert f"windows.{window}.{cells}.change_cells.{column}.{metric}" in parsed.cells
    for key in ("capital_fall.fell_share", "capital_fall.median", "replicates"):
        assert key in parsed.cells


def test_the_first_screen_is_the_verdict_then_the_maps(report):
    page, scores, parsed = report
    assert parsed.headings[:2] == ["Verdict", "Who holds what: maps"]
    hold = scores["windows"]["holdout"]["all"]
    verdict = page.read_text(encoding="utf-8").split("</section>")[0]
    assert f"{hold['model']['mean_prob']:.2f}" in verdict
    assert f"{scores['capital_fall']['recorded']}" in verdict


def test_extra_sections_come_before_how_this_was_made(report):
    page, _, parsed = report
    assert parsed.headings.index(EXTRA[0]) < parsed.headings.index("How this was made")
    assert EXTRA[1] in page.read_text(encoding="utf-8")


def test_a_run_past_the_records_end_is_reported_whole(tmp_path):
    from sim.report.rundata import agreement_table, load_run, recorded_provinces
    run_dir = tmp_path / "run"
    run_ensemble(run_dir, SCENARIO_DIR, replicates=2, root_seed=1, workers=1, progress=False,
                 end="1996-12")
    score_directory(run_dir)
    run = load_run(run_dir)
    assert run.months[-1] == "1996-12"                    # not cut at the record's end
    past = run.months.index("1996-10")
    recorded = recorded_provinces(run)
    assert all(np.isnan(series[past:]).all() and not np.isnan(series[:past]).any()
               for series in recorded.values())           # no record: no line, not zero
    assert agreement_table(run).iloc[:, past:].isna().all().all()


def test_the_interactive_page_is_self_contained_with_every_month_and_province(report):
    page, scores, _ = report
    text = (page.parent / "explore.html").read_text(encoding="utf-8")
    assert "<script src=" not in text and "<link " not in text  # plotly.js is inline
    months = sorted(json.loads(json.dumps(scores))["windows"]["whole"]["window"].split(".."))
    for month in months:                                   # first and last month on the slider
        assert f'"label":"{month}"' in text or f'"label": "{month}"' in text
    for name in ("Kabul", "Herat", "Kandahar"):           # the province menu
        assert f'"label":"{name}"' in text or f'"label": "{name}"' in text


def test_values_that_differ_never_look_equal():
    from sim.report.page import distinct_digits
    assert distinct_digits([0.99812, 0.99838, 0.5]) == 4     # 0.998 beside 0.998: one more
    assert distinct_digits([0.5, 0.25, None]) == 3
    assert distinct_digits([0.25, 0.25]) == 3                 # equal values may look equal
    assert distinct_digits([1e-9, 2e-9]) == 6                 # at most six
