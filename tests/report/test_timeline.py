"""The tempo figure's numbers: rows of battles.csv per faction and month, per replicate."""

import numpy as np
import pandas as pd

from sim.report.timeline import monthly_counts


def test_counts_are_rows_per_month_per_replicate_by_the_starting_faction():
    battles = pd.DataFrame({
        "replicate": [0, 0, 1, 1, 1, 0],
        "date": ["1992-05", "1992-05", "1992-05", "1992-06", "1992-07", "1992-09"],
        "kind": ["battle", "withdrawal", "battle", "defection", "battle", "battle"],
        "attacker": ["a", "a", "b", "a", "a", "a"],
    })
    months = ["1992-05", "1992-06", "1992-07"]  # 1992-09 lies outside: not counted
    out = monthly_counts(battles, months, ("a", "b", "c"), ("battle", "withdrawal"), 2)
    assert set(out) == {"a", "b"}                      # c started nothing: not drawn
    assert np.array_equal(out["a"], [1.0, 0.0, 0.5])
    assert np.array_equal(out["b"], [0.5, 0.0, 0.0])
    bought = monthly_counts(battles, months, ("a", "b"), ("defection",), 2)
    assert np.array_equal(bought["a"], [0.0, 0.5, 0.0])


def test_bombardments_get_their_own_panel_only_when_the_model_shelled(tmp_path):
    from matplotlib.image import imread

    from sim.report.canvas import Windows
    from sim.report.timeline import tempo
    months = ["1992-05", "1992-06", "1992-07"]
    windows = Windows(months, "1992-07")
    fought = {"a": np.array([1.0, 0.0, 0.5])}
    bought = {"b": np.array([0.0, 0.5, 0.0])}
    events = [(1, "1992-06 entry: b")]
    without = imread(tempo(tmp_path / "without.png", windows, fought, bought, events))
    empty = imread(tempo(tmp_path / "empty.png", windows, fought, bought, events, {}))
    shelled = imread(tempo(tmp_path / "with.png", windows, fought, bought, events,
                           {"c": np.array([5.0, 6.0, 4.0])}))
    assert without.shape == empty.shape                  # no bombardment: the figure as before
    assert shelled.shape[0] > without.shape[0]           # one more panel
