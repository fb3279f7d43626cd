"""The Python API in one place (layer 8, above the report): what ``import sim`` offers.

:class:`Ensemble` is :class:`sim.experiments.ensemble.Ensemble` with a :meth:`~Ensemble.report`;
everything else is re-exported from its layer.
"""

from __future__ import annotations

from pathlib import Path

from sim.analysis.scores import score_directory
from sim.experiments import ensemble as _ensemble
from sim.report.page import REPORT_DIR, write_report


class Ensemble(_ensemble.Ensemble):
    __doc__ = _ensemble.Ensemble.__doc__

    def report(self, out: str | Path | None = None) -> Path:
        """Write the comparison report; return the path of its ``index.html``.

        The report is made from a run directory: the ensemble's own (``save`` it first, or
        run it with ``out=``), scored now if it has no ``scores.json``. ``out``: the report
        folder (default ``DIR/report``).
        """
        if self.path is None:
            raise RuntimeError("save the ensemble first (ens.save(DIR)) or run it with out=DIR: "
                               "a report is made from a run directory")
        if not (self.path / "scores.json").is_file():
            score_directory(self.path)
        page = write_report(self.path)
        if out is not None and Path(out) != self.path / REPORT_DIR:
            import shutil
            shutil.copytree(self.path / REPORT_DIR, out, dirs_exist_ok=True)
            return Path(out) / page.name
        return page

    def __repr__(self) -> str:
        where = f", saved in {self.path}" if self.path else ""
        return (f"<Ensemble of {self.scenario.name}: {self.replicates} replicates, root seed "
                f"{self.root_seed}{where}>")

