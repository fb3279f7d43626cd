"""Which parameters a run uses: the registry's defaults, the scenario's calibrated posterior
(a set drawn per run by its seed), the scenario's fixed parameters, and the caller's values.

Later sources win: defaults < posterior draw < the scenario's ``parameters:`` (and
``parameter_set``) < values the caller gives. ``defaults=True`` drops the scenario's own
sources. Drawing each replicate's set from the posterior puts the parameters' uncertainty into
an ensemble's bands; the draw depends only on the replicate's seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.data import Params, Scenario


@dataclass(frozen=True)
class ParameterChoice:
    """How the runs of one experiment get their parameters."""

    scenario: Scenario
    defaults: bool = False
    given: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: Scenario, params: Params | dict | None = None, defaults: bool = False,
           overrides: dict[str, Any] | None = None) -> ParameterChoice:
        """``params``: a complete :class:`Params` (used as is: nothing drawn) or a mapping of
        values; ``overrides``: more values (keyword arguments, ``--set``)."""
        if isinstance(params, Params):
            return cls(scenario, True, {**params.to_dict(), **(overrides or {})})
        given = {**(params or {}), **(overrides or {})}
        Params.make(given)  # refuse unknown names and bad values now, not in a worker
        return cls(scenario, defaults, given)

    @property
    def posterior(self):
        return None if self.defaults else self.scenario.posterior

    def _fixed(self) -> dict:
        return {} if self.defaults else dict(self.scenario.drivers.parameters)

    def base(self) -> Params:
        """One set for what is not per run: the posterior's weighted median in its place."""
        point = self.posterior.point() if self.posterior else {}
        return Params.make(point, self._fixed(), self.given)

    def for_seed(self, seed: int) -> Params:
        """The set of the run with ``seed``."""
        draw = self.posterior.draw(seed) if self.posterior else {}
        return Params.make(draw, self._fixed(), self.given)

    def drawn(self, seeds: list[int]) -> list[dict[str, float]] | None:
        """The posterior values drawn for ``seeds`` (what a manifest records), or None."""
        if not self.posterior:
            return None
        return [{k: round(v, 6) for k, v in self.posterior.draw(s).items()} for s in seeds]

    def manifest(self, seeds: list[int]) -> dict:
        """What a run directory's manifest says about its parameters' origin."""
        post = self.posterior
        return {"defaults": self.defaults, "given": dict(self.given),
                "posterior": None if post is None else {
                    "file": post.path.name if post.path else None, "samples": len(post.weights),
                    "fitted_on": post.fitted or None,
                    "parameters": list(post.names), "draws": self.drawn(seeds)}}
