"""The one parameter registry: name, default, unit, plausible range and origin of each.

Sweeps, calibration, scenario overrides and ``--set`` all read this registry; a name not
in it is rejected with the list of valid names. Defaults are order-of-magnitude choices,
not fitted values: where a default comes from is stated in ``origin``. Money is in k$
(thousands of US dollars, approximate), time in months.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Parameter:
    """One tunable number (or, for ``alliances``, a choice) of the model."""

    name: str
    default: Any
    unit: str
    low: float | None
    high: float | None
    doc: str
    origin: str
    choices: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return not self.choices


_GUESS = "order-of-magnitude guess; the scenario's posterior (ABC on its calibration window) decides"

REGISTRY: tuple[Parameter, ...] = (
    Parameter("alliances", "scenario", "-", None, None,
              "who decides alliances: 'recorded' replays alliances.csv, 'endogenous' lets the "
              "alliance rules decide, 'scenario' takes scenario.yaml's choice",
              "design brief", choices=("scenario", "recorded", "endogenous")),
    Parameter("backers", "scenario", "-", None, None,
              "who decides whom backers fund: 'recorded' replays the proxy windows of "
              "backers.yaml (a recorded switch ends a window); 'endogenous' keeps every proxy "
              "eligible from its start and lets the learning rule decide; 'scenario' takes "
              "scenario.yaml's choice", "design brief", choices=("scenario", "recorded", "endogenous")),
    Parameter("tax_per_capita", 0.15, "k$ per 1000 persons per month", 0.02, 1.0,
              "revenue a faction draws from the population it holds",
              "guess: ~$0.15 per person per month, a fraction of 1990 GDP per head (~$250/yr)"),
    Parameter("ethnic_affinity", 0.6, "share", 0.0, 1.0,
              "how much income and recruits depend on the population sharing the faction's "
              "ethnic base (0: not at all, 1: only co-ethnics pay and enlist)", _GUESS),
    Parameter("upkeep_per_fighter", 0.02, "k$ per fighter per month", 0.005, 0.1,
              "pay, food and ammunition of one fighter for a month; a recruit costs 3 months",
              "guess: ~$20 a month, the order of militia pay reported for the period"),
    Parameter("recruit_rate", 0.0004, "recruits per person per month", 0.00005, 0.002,
              "enlistment of co-ethnic population in held and home territories", _GUESS),
    Parameter("desertion_share", 0.5, "share of unpaid fighters per month", 0.0, 1.0,
              "share of the fighters a faction cannot pay who leave it", _GUESS),
    Parameter("csf_exponent", 1.5, "-", 0.5, 4.0,
              "decisiveness m of the contest success function p = A^m / (A^m + (tD)^m)",
              "Hirshleifer (1989): m near 1 for attritional, higher for decisive warfare"),
    Parameter("mountain_defence", 2.0, "multiplier", 1.0, 4.0,
              "defender's strength multiplier on mountain ground or across a mountain link; "
              "hills and passes get its square root",
              "Dupuy (1987, Understanding War): rugged terrain multiplies a defender's strength "
              "by about 1.5 (the calibration prior's mode)"),
    Parameter("urban_defence", 1.5, "multiplier", 1.0, 3.0,
              "defender's strength multiplier in a city", _GUESS),
    Parameter("firepower_weight", 0.5, "-", 0.0, 2.0,
              "strength per fighter = 1 + weight * (heavy_weapons + air_power)", _GUESS),
    Parameter("attrition_rate", 0.08, "share per battle", 0.01, 0.5,
              "Lanchester aimed-fire coefficient: losses per unit of opposing strength",
              _GUESS),
    Parameter("militia_share", 0.004, "share of population", 0.0, 0.02,
              "local levies who defend their district for its holder, as a share of the "
              "population that supports the holder; unpaid, they cannot leave their district",
              _GUESS),
    Parameter("levy_partisanship", 0.0, "share", 0.0, 1.0,
              "how far levies stay home against an attacker their people support as much as "
              "the holder (0: they defend against anyone; 1: only against one they support "
              "less); sim.mechanisms.levies",
              "Kalyvas 2006; Christia 2012; 0 reproduces the model before the mechanism"),
    Parameter("levy_kin", 0.0, "share", 0.0, 1.0,
              "how far levies judge an attacker by kinship with the holder (same ethnic base) "
              "rather than by the territory's population at large; sim.mechanisms.levies",
              "Christia 2012 (fronts between ethnic groups held); 0 reproduces the model before "
              "the rule"),
    Parameter("bombard_intensity", 0.0, "share", 0.0, 1.0,
              "a bombardment's losses as a share of a battle's (same forces, a month of "
              "aimed fire); a faction that launches no offensive shells the hostile territory "
              "in its reach worth most to it; sim.mechanisms.bombardment",
              "the source: 'Hekmatyar started a bombardment campaign against the capital, "
              "firing thousands of rockets'; 0 reproduces the model before the mechanism"),
    Parameter("mass_rate", 0.0, "share per month", 0.0, 1.0,
              "share of a garrison two steps from its faction's main effort (the hostile "
              "territory it could take with all its fighters within two steps) that moves one "
              "step towards it each month; sim.mechanisms.concentration",
              "Clausewitz, On War III.11 (assembly of forces in space); the source: 'Jalalabad "
              "fell to the Taliban, who then marched on Sarobi'; 0 reproduces the model "
              "before the mechanism"),
    Parameter("cohesion_weight", 0.0, "share", 0.0, 1.0,
              "how far a faction's cohesion (as pay holds it this month) scales its strength "
              "per fighter: morale 1 - weight * (1 - cohesion); sim.mechanisms.morale",
              "Castillo 2014; Lyall 2020 (cohesion and battlefield performance); Dupuy 1987 "
              "(morale in the combat effectiveness value); 0 reproduces the model before the "
              "mechanism"),
    Parameter("commit_share", 0.6, "share", 0.1, 1.0,
              "share of an adjacent garrison committed to an offensive", _GUESS),
    Parameter("attack_threshold", 0.55, "probability", 0.3, 0.9,
              "least chance of success for which a faction launches an offensive", _GUESS),
    Parameter("redeploy_rate", 0.3, "share per month", 0.0, 1.0,
              "share of a rear garrison moved one step towards the front each month", _GUESS),
    Parameter("front_share", 0.0, "share", 0.0, 1.0,
              "share of a backer's volunteers sent to the proxy's main front (the front territory "
              "where it is strongest) rather than to its territory on the backer's border",
              "the source: ISI sent 'hundreds of trucks loaded with weapons and fighters to the "
              "southern part of Kabul' (the front); 0 reproduces the model before the rule"),
    Parameter("volunteer_return", 0.0, "share per month", 0.0, 1.0,
              "share of a faction's serving foreign volunteers who go home each month (a mean "
              "tour of 1 / value months); 0: they serve until killed",
              "the source's 80,000-100,000 Pakistanis who 'trained and fought' for the Taliban "
              "in 1994-99 are a flow (students back to their schools, Rashid 2000); 0 "
              "reproduces the model before the rule"),
    Parameter("purse_share", 0.0, "share of income", 0.0, 1.0,
              "share of each month's income a faction keeps in a purse for buying commanders, "
              "apart from its army's pay and recruits; 0: all of it goes to the army",
              "the source: the Taliban's backers 'bringing and distributing money and "
              "supplies'; commanders bought with backers' money (Rashid 2000, Giustozzi "
              "2009); 0 reproduces the model before the rule"),
    Parameter("earmark_share", 0.0, "share of backer support", 0.0, 1.0,
              "share of each month's money from backers a faction keeps in its purse for "
              "buying commanders (with purse_share's share of all income); 0: none",
              "the source: the Taliban's backers 'bringing and distributing money and "
              "supplies'; the money that bought commanders came from backers (Rashid 2000, "
              "Giustozzi 2009), not from taxes; 0 reproduces the model before the rule"),
    Parameter("defection_rate", 0.3, "probability per month", 0.0, 1.0,
              "chance scale that an outmatched garrison with no cohesion changes sides",
              "guess; bandwagoning of local commanders (Rashid 2000, Kalyvas 2006)"),
    Parameter("bribe_per_fighter", 0.05, "k$ per fighter", 0.0, 1.0,
              "price paid to buy over one fighter of a defecting garrison", _GUESS),
    Parameter("cascade_weight", 1.0, "-", 0.0, 5.0,
              "bandwagoning cascade: a defection is (1 + weight * s) times likelier and cheaper "
              "where the buyer holds a share s of the territory's neighbours",
              "guess; threshold models of collective behaviour (Granovetter 1978), cascades of "
              "switching sides (Kuran 1989); the Taliban's advance by purchased defections "
              "(Rashid 2000)"),
    Parameter("pay_loyalty", 0.0, "share", 0.0, 1.0,
              "how far a commander's loyalty depends on pay: a holder's cohesion against "
              "defection is cohesion * (1 - weight * unpaid share of its month's upkeep); "
              "sim.mechanisms.defection.loyalty",
              "Rubin 2002 and Giustozzi 2000 (the militias of 1992 when Soviet money stopped); "
              "Giustozzi 2009; 0 reproduces the model before the mechanism"),
    Parameter("momentum_weight", 0.0, "per (territory per month)", 0.0, 10.0,
              "bandwagoning with the winning side: a faction's offers to commanders are "
              "(1 + weight * m) times likelier and cheaper, m its net territories taken per "
              "month lately; sim.mechanisms.momentum",
              "Walt 1987; Kalyvas 2006; Christia 2012; 0 reproduces the model before the "
              "mechanism"),
    Parameter("momentum_halflife", 3.0, "months", 0.5, 24.0,
              "half-life of the memory of recent gains in a faction's momentum",
              "guess: news of a campaign reaches commanders within weeks and is stale after "
              "a season; not calibrated"),
    Parameter("encirclement_share", 0.5, "share of neighbours", 0.25, 1.0,
              "share of a territory's neighbours held by enemies at which its garrison counts "
              "itself encircled and may withdraw", _GUESS),
    Parameter("withdraw_threshold", 0.7, "probability", 0.3, 1.0,
              "attacker's chance of success above which an encircled garrison withdraws intact "
              "instead of fighting (1: never)",
              "guess; breakpoint view of combat termination (Helmbold 1964; Dupuy 1987)"),
    Parameter("capture_share", 0.3, "share", 0.0, 1.0,
              "share of the heavy weapons a beaten garrison carried that the victor takes",
              "guess; order of magnitude from the capture of Hekmatyar's Charasiab artillery "
              "(the whole position's weaponry) against losses elsewhere"),
    Parameter("proxy_learning", 0.15, "share per month", 0.0, 1.0,
              "how fast a backer shifts its preference towards its more effective proxy",
              _GUESS),
    Parameter("balance_weight", 1.0, "-", 0.0, 5.0,
              "alliance rule: weight of balancing against the strongest faction", _GUESS),
    Parameter("betrayal_weight", 0.5, "-", 0.0, 3.0,
              "alliance rule: lost propensity per remembered betrayal", _GUESS),
    Parameter("trust_halflife", 12.0, "months", 1.0, 60.0,
              "half-life of the memory of a betrayal", _GUESS),
    Parameter("alliance_inertia", 0.1, "-", 0.0, 1.0,
              "gain in propensity a faction needs before it changes coalition", _GUESS),
    Parameter("leader_loss", 0.15, "share", 0.0, 0.6,
              "share of a faction's fighters lost when its leader is killed", _GUESS),
)

BY_NAME: Mapping[str, Parameter] = MappingProxyType({p.name: p for p in REGISTRY})
NUMERIC: tuple[str, ...] = tuple(p.name for p in REGISTRY if p.numeric)


def unknown_message(name: str) -> str:
    return f"unknown parameter {name!r}; valid names: {', '.join(BY_NAME)}"


def check_value(name: str, value: Any) -> tuple[Any, str | None]:
    """Coerce ``value`` for parameter ``name``; return (value, problem or None)."""
    spec = BY_NAME.get(name)
    if spec is None:
        return None, unknown_message(name)
    if spec.choices:
        if value not in spec.choices:
            return None, f"parameter {name!r} must be one of {', '.join(spec.choices)}, got {value!r}"
        return value, None
    if isinstance(value, bool):
        return None, f"parameter {name!r} must be a number, got {value!r}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, f"parameter {name!r} must be a number, got {value!r}"
    if not math.isfinite(number):
        return None, f"parameter {name!r} must be finite, got {value!r}"
    if (spec.low is not None and number < spec.low) or (spec.high is not None and number > spec.high):
        return None, (f"parameter {name!r} = {number:g} is outside its range "
                      f"{spec.low:g}..{spec.high:g} ({spec.unit})")
    return number, None


def check_bounds(name: str, bounds: Any) -> tuple[tuple[float, float] | None, str | None]:
    """A ``[low, high]`` range for numeric parameter ``name``: (range, None) or (None, problem).

    The one check of a swept or fitted range: a known numeric parameter, two finite numbers,
    low below high, both inside the registry's plausible range.
    """
    spec = BY_NAME.get(name)
    if spec is None:
        return None, unknown_message(name)
    if not spec.numeric:
        return None, (f"parameter {name!r} is a choice ({', '.join(spec.choices)}), not a "
                      "number with a range")
    if (not isinstance(bounds, list | tuple) or len(bounds) != 2
            or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)):
        return None, f"parameter {name!r} must be [low, high], got {bounds!r}"
    low, high = float(bounds[0]), float(bounds[1])
    if not (math.isfinite(low) and math.isfinite(high)):
        return None, f"parameter {name!r}: bounds must be finite, got {list(bounds)!r}"
    if low >= high:
        return None, f"parameter {name!r}: low {low:g} must be less than high {high:g}"
    if low < spec.low or high > spec.high:
        return None, (f"parameter {name!r}: range [{low:g}, {high:g}] is outside its plausible "
                      f"range {spec.low:g}..{spec.high:g} ({spec.unit})")
    return (low, high), None


@dataclass(frozen=True)
class Params:
    """An immutable, validated parameter set: defaults with overrides applied."""

    values: Mapping[str, Any]

    @classmethod
    def make(cls, *overrides: Mapping[str, Any] | None) -> Params:
        """Defaults, then each mapping of overrides in turn (later ones win).

        Raises:
            ValueError: naming every unknown parameter or bad value.
        """
        values = {p.name: p.default for p in REGISTRY}
        errors = []
        for mapping in overrides:
            for name, raw in (mapping or {}).items():
                value, problem = check_value(name, raw)
                if problem:
                    errors.append(problem)
                else:
                    values[name] = value
        if errors:
            raise ValueError("; ".join(errors))
        return cls(MappingProxyType(values))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "values":  # unpickling asks before values is set
            raise AttributeError(name)
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(unknown_message(name)) from None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.values)

    def replace(self, **changes: Any) -> Params:
        return Params.make(self.to_dict(), changes)


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """``["name=value", ...]`` from the command line into a mapping (values still text)."""
    result: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set expects name=value, got {item!r}")
        result[name.strip()] = value.strip()
    return result


def describe() -> str:
    """The registry as a table, for ``afsim params`` and docs."""
    lines = [f"{'name':<20} {'default':>10}  {'range':<18} unit — meaning (origin)"]
    for p in REGISTRY:
        rng = "|".join(p.choices) if p.choices else f"{p.low:g}..{p.high:g}"
        lines.append(f"{p.name:<20} {p.default!s:>10}  {rng:<18} {p.unit} — {p.doc} ({p.origin})")
    return "\n".join(lines)
