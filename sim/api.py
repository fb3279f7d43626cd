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



def compare(*runs, names: list[str] | None = None, out: str | Path | None = None) -> dict:
    """Paired differences between runs of the same replicates: each an :class:`Ensemble` that
    has a run directory, or a run directory. With ``out``, also the comparison report there."""
    from sim.analysis.compare import compare_directories
    from sim.report.compare_page import write_comparison
    dirs = []
    for run in runs:
        path = getattr(run, "path", run)
        if path is None:
            raise RuntimeError("save each ensemble first (ens.save(DIR)) or run it with out=DIR")
        dirs.append(path)
    result = compare_directories(dirs, names)
    if out is not None:
        write_comparison(result, out)
    return result


def what_if(name: str, title: str, changes: list, *, parameters: dict | None = None,
            base: str | Path | None = None, replicates: int = 100, seed: int = 1,
            workers: int | None = None, out: str | Path = "runs/what_if") -> Path:
    """Run a counterfactual beside its base scenario, replicate by replicate on the same seeds;
    score both; write the comparison report. Returns the report's path.

    ``changes``: as in an overlay (:mod:`sim.data.overlay`); ``base``: a scenario folder (default:
    the 1992-96 scenario next to this package's ``scenarios/``, else ``scenarios/`` here).
    """
    from sim.analysis.compare import summary_lines
    from sim.analysis.scores import score_directory
    from sim.data import load
    from sim.data.overlay import with_changes
    from sim.experiments.executor import default_workers
    if base is None:
        here = Path(__file__).resolve().parents[1] / "scenarios" / "afghanistan_1992_1996"
        base = here if here.is_dir() else Path("scenarios/afghanistan_1992_1996")
    base_scenario = load(base)
    variant = with_changes(base_scenario, changes, parameters=parameters, name=name, title=title)
    out = Path(out)
    workers = default_workers() if workers is None else workers
    dirs = []
    for scenario, label in ((base_scenario, "baseline"), (variant, name)):
        ens = Ensemble(scenario, replicates, seed).run(workers=workers, out=out / label,
                                                       force=True, progress=True)
        score_directory(ens.path)
        dirs.append(ens.path)
    result = compare(*dirs, names=["baseline", name], out=out / f"{name}-vs-baseline")
    print("\n".join(summary_lines(result)))
    page = out / f"{name}-vs-baseline" / "index.html"
    print(f"wrote {page}")
    return page
