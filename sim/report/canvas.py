"""What every figure of the report shares: the style, the resolution, the month axis and the
line between the calibration and hold-out windows."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

DPI = 120
HOLDOUT_LINE = {"color": "#444444", "linestyle": ":", "linewidth": 1.2}
STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def styled(draw: Callable[..., Path]) -> Callable[..., Path]:
    """Run a figure function under :data:`STYLE` without touching global rcParams."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs) -> Path:
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)
    return wrapper


@dataclass(frozen=True)
class Windows:
    """The calibration and hold-out windows, as positions in the run's month list."""

    months: Sequence[str]
    holdout_start: str  # first hold-out month

    @property
    def boundary(self) -> float | None:
        """x of the line between the windows (between two month cells), if in the run."""
        if self.holdout_start not in self.months:
            return None
        return self.months.index(self.holdout_start) - 0.5


def save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    fig.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white")
    return path


def month_axis(ax, months: Sequence[str], every: int = 6) -> None:
    """Ticks at January and July (or every ``every`` months) labelled ``YYYY-MM``."""
    ticks = [i for i, m in enumerate(months) if (int(m[5:7]) - 1) % every == 0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([months[i] for i in ticks], rotation=0)
    ax.set_xlim(-0.5, len(months) - 0.5)


def mark_windows(ax, windows: Windows) -> None:
    """The calibration/hold-out boundary as a dotted line, with the windows named above."""
    x = windows.boundary
    if x is None:
        return
    ax.axvline(x, **HOLDOUT_LINE, zorder=5)
    above = ax.get_xaxis_transform()  # x in data, y in axes fraction
    ax.text(x - 0.6, 1.005, "calibration ←", transform=above, ha="right", va="bottom",
            fontsize=8, color="#444444")
    ax.text(x + 0.6, 1.005, "→ hold-out", transform=above, ha="left", va="bottom",
            fontsize=8, color="#444444")
