"""The afsim model: Mesa wiring of the scenario, the state and the mechanisms.

One step is one month. The phases, in order:

1. **events** — the month's driver events apply (:mod:`sim.mechanisms.events`).
2. **alliances** — recorded changes of the month, or the alliance rules
   (:mod:`sim.mechanisms.alliances`); pairs under a ceasefire do not fight this month.
3. **backers** — each backer shares its budget among its eligible proxies by preference and
   sends its volunteers, a share ``front_share`` of them to the proxy's main front and the
   rest to its border; a share ``volunteer_return`` of those serving goes home
   (:mod:`sim.mechanisms.backers`).
4. **economy** — income from held population (ethnic affinity) plus state revenue and
   backer support, a share ``purse_share`` of it kept in a purse for buying commanders;
   upkeep; desertion of the unpaid; recruitment (:mod:`sim.mechanisms.economy`);
   recruits and volunteers come armed at the faction's rating (:mod:`sim.mechanisms.weapons`).
5. **movement** — rear garrisons step towards the front (:mod:`sim.mechanisms.movement`);
   garrisons two steps from the faction's main effort close up on it
   (:mod:`sim.mechanisms.concentration`).
6. **offensives** — each faction picks attacks by expected value (:mod:`sim.mechanisms.offensives`).
7. **battles** — each offensive, in the order chosen, is assessed; an encircled defender that
   expects to lose withdraws intact (:mod:`sim.mechanisms.withdrawal`); otherwise the battle
   is fought (:mod:`sim.mechanisms.combat`) and the victor takes part of the beaten
   garrison's heavy weapons (:mod:`sim.mechanisms.weapons`); control changes. Local levies
   defend the holder only against attackers their people support less
   (:mod:`sim.mechanisms.levies`), here and in the defections.
8. **defections** — outmatched garrisons are bought by enemy neighbours, the likelier and
   cheaper the more neighbours have gone over and the more ground the buyer has been taking
   lately (:mod:`sim.mechanisms.defection`, :mod:`sim.mechanisms.momentum`), the likelier
   the less of its upkeep the holder paid this month (:func:`sim.mechanisms.defection.loyalty`);
   they bring their weapons. The buyer pays from its purse first, then from its army's money.
9. **learning** — each faction's momentum is updated from the month's changes of control
   (:mod:`sim.mechanisms.momentum`); backers shift preference towards the proxies that
   gained ground.
10. **collect** — the end-of-month state is recorded (:mod:`sim.model.history`).

Randomness comes only from ``seed``: each mechanism that draws has its own stream,
``SeedSequence(seed, spawn_key=(crc32(name),))``, so adding a mechanism never shifts
another's draws.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import mesa
import numpy as np
from mesa.discrete_space import Network

from sim.core import topology
from sim.core.state import State, initial_state
from sim.core.streams import stream
from sim.core.world import build_world
from sim.data import Drivers, Scenario, load
from sim.data.dates import to_month
from sim.data.params import Params
from sim.data.vocabulary import ALLIED, HOSTILE, NEVER, TERRAIN_CODES
from sim.mechanisms import (
    alliances,
    backers,
    bombardment,
    combat,
    concentration,
    defection,
    economy,
    events,
    levies,
    momentum,
    morale,
    movement,
    offensives,
    weapons,
    withdrawal,
)
from sim.model.agents import Backer, Faction, TerritoryCell
from sim.model.history import History

STREAMS = ("offensives", "combat", "defection")


def _forget_model(model: mesa.Model) -> None:
    """Drop Mesa 3.3's class-level reference to a finished model (Mesa issue 3179).

    ``mesa.Agent._ids`` keeps an id counter per model, and with it the model, for the life
    of the process: ~0.2 MB per run, unbounded in long sweeps. A finished run creates no
    more agents, so its counter is no longer needed.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def drivers_of(scenario: Drivers | Scenario | str | Path) -> Drivers:
    """The drivers of a scenario object or folder: all the model is ever given."""
    if isinstance(scenario, Drivers):
        return scenario
    if isinstance(scenario, Scenario):
        return scenario.drivers
    return load(scenario).drivers


class AfsimModel(mesa.Model):
    """A run of a scenario with one parameter set and one seed.

    Args:
        scenario: the scenario's :class:`Drivers`, a loaded :class:`Scenario` (only its
            drivers are kept: the model never holds observations) or a scenario folder.
        seed: non-negative integer; the only source of randomness.
        end: last month to simulate (month index, or ``YYYY-MM``); default the scenario's.
        params: a :class:`Params`; keyword overrides are applied on top (names from the
            registry, e.g. ``csf_exponent=2.0``), so ``mesa.batch_run`` can sweep them.
        collect: feed Mesa's ``DataCollector`` every month (what ``mesa.batch_run`` reads).
            Our own runners read :attr:`history` and switch it off.
    """

    def __init__(self, scenario: Drivers | Scenario | str | Path, seed: int = 0,
                 end: int | str | None = None, params: Params | None = None,
                 collect: bool = True, **overrides):
        super().__init__(seed=seed)
        self.drivers = drivers = drivers_of(scenario)
        base = params if params is not None else Params.make(drivers.parameters)
        self.params = base.replace(**overrides) if overrides else base
        self.run_seed = int(seed)
        self.world = build_world(drivers)
        self.end = to_month(end, drivers.end)
        self.mode = (drivers.alliance_mode if self.params.alliances == "scenario"
                     else self.params.alliances)
        self.backer_mode = (drivers.backer_mode if self.params.backers == "scenario"
                            else self.params.backers)
        self.rngs = {name: stream(self.run_seed, name) for name in STREAMS}
        # the start month's own events (a head of state in office, say) act on the initial map
        self.state: State = events.apply(initial_state(drivers, self.world),
                                         self.world.events.get(drivers.start, ()), self.world,
                                         self.params.leader_loss)
        self.history = History()
        self._derive_constants()
        self._build_agents()
        reporters = {"month": lambda m: m.state.month}
        for faction in self.world.faction_ids:
            reporters[f"provinces_{faction}"] = (lambda m, f=faction: m.provinces_of(f))
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        self.history.record(self.state)
        self.collect = collect
        self.running = self.state.month < self.end

    # -- wiring -----------------------------------------------------------------------

    def _derive_constants(self) -> None:
        w, p = self.world, self.params
        self.affinity = w.affinity(p.ethnic_affinity)
        self.per_fighter = morale.fighting_strength(
            weapons.strength_per_fighter(w.heavy_weapons, w.air_power, p.firepower_weight),
            w.cohesion, p.cohesion_weight)
        codes = np.array([TERRAIN_CODES[t] for t in w.terrain])
        self.ground = combat.terrain_multiplier(codes, p.mountain_defence, p.urban_defence)
        eye = np.eye(w.n_territories)
        self.adjacency = w.adjacency.astype(float)
        self.reach = self.adjacency + eye
        self.approach = combat.link_multiplier(w.link_kind, p.mountain_defence)
        self.reach_weighted = self.reach * self.approach
        self.approach_from = self.approach + eye  # an attack from inside has multiplier 1
        self.value = w.strategic_weight[None, :] * (0.5 + self.affinity)
        self.levy_base = p.militia_share * w.population[None, :] * self.affinity   # [F, T]
        self.kin = levies.kinship(w.faction_ethnic, p.ethnic_affinity)             # [F, F]
        shared = (w.proxy_start < 10**6)
        self.shared_backer = (shared.T.astype(int) @ shared.astype(int)) > 0
        ethnic = w.faction_ethnic
        sect = np.array(w.faction_sect)
        self.static_affinity = alliances.affinity(ethnic, sect, self.shared_backer)
        self.volunteer_pairs = [(int(b), int(f)) for b, f in np.argwhere(w.volunteers > 0)]
        self.province_mask = w.is_province
        # endogenous backers: a recorded end of support is what the learning rule must find
        self.proxy_end = (w.proxy_end if self.backer_mode == "recorded"
                          else np.full_like(w.proxy_end, NEVER))

    def _build_agents(self) -> None:
        w, d = self.world, self.drivers
        self.space = Network(w.graph, random=self.random, cell_klass=TerritoryCell)
        for i, territory in enumerate(d.territories):
            self.space._cells[territory.id].bind(self, i, territory)
        self.factions = [Faction(self, i, spec) for i, spec in enumerate(d.factions)]
        self.backers = [Backer(self, i, spec) for i, spec in enumerate(d.backers)]

    def provinces_of(self, faction: str) -> int:
        """Provinces (not sub-nodes) the faction holds now; 0 for an unknown id."""
        if faction not in self.world.faction_ids:
            return 0
        f = self.world.faction_ids.index(faction)
        return int(np.count_nonzero(self.state.control[self.province_mask] == f))

    # -- one month -----------------------------------------------------------------------

    def step(self) -> None:
        if self.state.month >= self.end:
            self.running = False
            return
        w, p = self.world, self.params
        # mechanisms return new arrays, so a shallow copy keeps last month's state intact
        s = dataclasses.replace(self.state, month=self.state.month + 1)
        month = s.month
        s = events.apply(s, w.events.get(month, ()), w, p.leader_loss)

        # alliances
        if self.mode == "recorded":
            changes = w.alliance_changes.get(month)
            if changes:
                s.relation = alliances.apply_recorded(s.relation, list(changes))
        else:
            strength = s.garrison.sum(axis=1) * self.per_fighter
            s.relation, s.betrayals, s.commitment = alliances.endogenous_step(
                s.relation, self.static_affinity, strength, s.active, s.betrayals,
                s.commitment, p.balance_weight, p.betrayal_weight, p.alliance_inertia,
                p.trust_halflife)
        both = s.active[:, None] & s.active[None, :]
        fights = (s.relation == HOSTILE) & both & (s.truce_until < month)
        allied = (s.relation == ALLIED)
        np.fill_diagonal(allied, False)

        # backers
        eligible = (w.proxy_start <= month) & (month <= self.proxy_end) & s.active[None, :]
        given = backers.allocate(s.budget, s.preference, eligible)
        s.support = given.sum(axis=0)
        s.backing = given
        s.garrison = s.garrison.copy()
        volunteers = np.zeros(w.n_factions)
        if p.volunteer_return > 0:
            s.garrison, s.volunteers = backers.volunteers_go_home(
                s.garrison, s.volunteers, s.volunteers_army, p.volunteer_return)
        near = None
        if p.front_share > 0 and self.volunteer_pairs:
            _, near = movement.enemy_near(s.garrison, s.control, fights, self.adjacency)
        for b, f in self.volunteer_pairs:
            if eligible[b, f]:
                dest = backers.volunteer_destinations(s.garrison[f:f + 1], s.control,
                                                      w.backer_borders[b])[0]
                if dest < 0:
                    continue
                n = w.volunteers[b, f]
                if near is not None:  # a share goes to the proxy's front (its main one)
                    front = backers.volunteer_destinations(s.garrison[f:f + 1], s.control,
                                                           w.backer_borders[b], near[f:f + 1])[0]
                    s.garrison[f, front] += p.front_share * n
                    s.garrison[f, dest] += (1.0 - p.front_share) * n
                else:
                    s.garrison[f, dest] += n
                volunteers[f] += n
        if p.volunteer_return > 0:
            s.volunteers = s.volunteers + volunteers
            s.volunteers_army = s.garrison.sum(axis=1)

        # economy
        open_to = np.broadcast_to((s.closed_until < month)[None, :], s.garrison.shape) | (
            s.control[None, :] != np.arange(w.n_factions)[:, None])
        earned = economy.income(s.control, w.population, self.affinity, p.tax_per_capita,
                                open_to, s.state_revenue, s.support)
        earned, kept = economy.set_aside(earned, s.support, p.purse_share, p.earmark_share)
        s.purse = s.purse + kept
        s.resources = s.resources + earned
        fighters = s.garrison.sum(axis=1)
        s.resources, unpaid = economy.pay_upkeep(s.resources, fighters, p.upkeep_per_fighter)
        loyal = defection.loyalty(w.cohesion, unpaid, p.pay_loyalty)
        s.garrison = economy.desert(s.garrison, unpaid, p.desertion_share)
        s.garrison, s.resources, s.recruits = economy.recruit(
            s.garrison, s.resources, s.control, w.home, w.population, self.affinity, open_to,
            s.active, p.recruit_rate, p.upkeep_per_fighter)
        new = s.recruits + volunteers
        s.armament = weapons.arm_recruits(s.armament, s.garrison.sum(axis=1) - new, new,
                                          w.heavy_weapons)
        self.per_fighter = morale.fighting_strength(
            weapons.strength_per_fighter(s.armament, w.air_power, p.firepower_weight),
            loyal, p.cohesion_weight)

        # movement
        mobile = s.active & w.offensive
        s.garrison = movement.redeploy(s.garrison, s.control, fights, self.adjacency, w.distance,
                                       w.next_hop, mobile, p.redeploy_rate)
        if p.mass_rate > 0:
            self._close_up(s, fights, allied, mobile)

        # offensives and battles
        militia = self._militia(s.control)
        defence = offensives.defence_strength(s.garrison, s.control, fights, allied,
                                              self.per_fighter, militia)
        may_attack = s.active & w.offensive
        chosen = offensives.choose(s.garrison, s.control, fights, defence, self.value,
                                   may_attack, self.reach, self.reach_weighted, self.ground,
                                   self.per_fighter, p.commit_share, p.csf_exponent,
                                   p.attack_threshold, self.rngs["offensives"])
        before = s.control.copy()
        # one draw per (attacker, territory) every month, fought or not: common random numbers
        draws = self.rngs["combat"].random((w.n_factions, w.n_territories))
        for offensive in chosen:
            self._battle(s, offensive, fights, allied, month, draws)
        if p.bombard_intensity > 0:
            self._bombard(s, chosen, fights, allied, may_attack, month)

        # defections
        militia = self._militia(s.control)
        in_reach, _ = offensives.attack_reach(s.garrison, self.reach, self.reach_weighted)
        threat = in_reach * self.per_fighter[:, None]
        holder = s.control
        held = holder >= 0
        safe = np.where(held, holder, 0)
        own_defence = np.where(held, s.garrison[safe, np.arange(w.n_territories)]
                               * self.per_fighter[safe], 0.0)[None, :] + militia    # [F, T]
        bought_levies = np.where(held, self.levy_base[safe, np.arange(w.n_territories)], 0.0)
        shares = topology.neighbour_share(s.control, self.adjacency, w.n_factions)
        funds = s.resources + s.purse
        s.garrison, s.control, left, bought = defection.defect(
            s.garrison, s.control, funds, fights, threat, own_defence, self.affinity,
            loyal, may_attack, bought_levies, p.defection_rate, p.bribe_per_fighter,
            self.rngs["defection"], shares, p.cascade_weight, self._offer_factor(s))
        s.purse, s.resources = economy.pay_from_purse(s.purse, funds, left)
        fighters = s.garrison.sum(axis=1)
        for d in bought:  # a commander who goes over takes his weapons
            s.armament, _ = weapons.capture(s.armament, fighters, d.old, d.new, d.garrison, 1.0)
        self.history.defections.extend((month, d) for d in bought)

        # momentum: what the month's changes of control say about who is winning
        s.momentum = momentum.update(
            s.momentum, momentum.net_taken(self.state.control, s.control, w.n_factions),
            p.momentum_halflife)

        # learning
        gained = (s.control != before)
        gains = np.bincount(s.control[gained], weights=w.strategic_weight[gained],
                            minlength=w.n_factions)
        if gains.any():  # with no gains the rule only renormalises, which allocate does anyway
            s.preference = backers.update_preference(s.preference, eligible, gains, p.proxy_learning)

        if not (np.isfinite(s.garrison).all() and np.isfinite(s.resources).all()):
            raise ValueError(f"month {month - self.drivers.start + 1} of the run: fighters or "
                             "resources became infinite or NaN (check the scenario's quantities "
                             "and the parameters); nothing of this run is written")
        self.state = s
        self.history.record(s)
        if self.collect:
            self.datacollector.collect(self)
        self.running = month < self.end
        if not self.running:
            _forget_model(self)

    def _battle(self, s: State, offensive, fights: np.ndarray, allied: np.ndarray,
                month: int, draws: np.ndarray) -> None:
        """One offensive: assessed; an encircled, outmatched defender withdraws; else fought,
        and the victor takes part of the beaten garrison's weapons."""
        w, p = self.world, self.params
        militia = self._militia(s.control)
        a = combat.assess(offensive, s.garrison, s.control, fights, allied, self.per_fighter,
                          militia, self.ground, self.approach_from, p.csf_exponent)
        if a is None:
            return
        t, holder = offensive.target, int(s.control[offensive.target])
        if holder >= 0:
            encircled = topology.hostile_share_of(t, s.control, fights, self.adjacency)
            if withdrawal.decides_to_withdraw(a.chance, encircled, p.withdraw_threshold,
                                              p.encirclement_share):
                s.garrison, s.control, left = withdrawal.withdraw(
                    offensive, s.garrison, s.control, fights, allied, w.adjacency, a.chance)
                if left is not None:
                    self.history.withdrawals.append((month, left))
                    return
        carried_by = float(s.garrison[holder, t]) if holder >= 0 else 0.0
        s.garrison, s.control, battle = combat.fight(
            offensive, s.garrison, s.control, fights, allied, self.per_fighter, militia,
            self.ground, self.approach_from, w.adjacency, p.csf_exponent, p.attrition_rate,
            float(draws[offensive.attacker, t]), assessment=a)
        if battle is None:
            return
        self.history.battles.append((month, battle))
        if battle.won and holder >= 0:
            s.armament, _ = weapons.capture(s.armament, s.garrison.sum(axis=1), holder,
                                            battle.attacker, carried_by, p.capture_share)

    def _close_up(self, s: State, fights: np.ndarray, allied: np.ndarray,
                  mobile: np.ndarray) -> None:
        """Garrisons two steps from their faction's main effort close up on it."""
        p, w = self.params, self.world
        defence = offensives.defence_strength(s.garrison, s.control, fights, allied,
                                              self.per_fighter, self._militia(s.control))
        effort = concentration.main_effort(s.garrison, s.control, fights, defence, self.value,
                                           mobile, w.distance, self.ground, self.per_fighter,
                                           p.commit_share, p.csf_exponent, p.attack_threshold)
        s.garrison = concentration.close_up(s.garrison, s.control, effort, w.distance,
                                            w.next_hop, p.mass_rate)

    def _bombard(self, s: State, chosen: list, fights: np.ndarray, allied: np.ndarray,
                 may_attack: np.ndarray, month: int) -> None:
        """Factions that launched no offensive shell what they cannot take (after the
        month's battles; in faction order, each against the defence as it stood)."""
        p = self.params
        attacked = np.zeros(self.world.n_factions, dtype=bool)
        attacked[[o.attacker for o in chosen]] = True
        in_reach, approach = offensives.attack_reach(s.garrison, self.reach, self.reach_weighted)
        defence = offensives.defence_strength(s.garrison, s.control, fights, allied,
                                              self.per_fighter, self._militia(s.control))
        aims = bombardment.targets(in_reach, s.control, fights, self.value, may_attack, attacked)
        for f in np.nonzero(aims >= 0)[0]:
            t = int(aims[f])
            s.garrison, shelled = bombardment.bombard(
                s.garrison, s.control, self.reach, int(f), t, float(defence[f, t]),
                float(self.ground[t] * approach[f, t]), self.per_fighter, p.commit_share,
                p.attrition_rate, p.bombard_intensity)
            self.history.bombardments.append((month, shelled))

    def _offer_factor(self, s: State) -> np.ndarray | None:
        """[F, T] momentum factor of each buyer's offers; None (no factor) without momentum."""
        if self.params.momentum_weight == 0:
            return None
        return momentum.offer_factor(s.momentum, self.params.momentum_weight,
                                     momentum.core_garrisons(s.garrison, s.control))

    def _militia(self, control: np.ndarray) -> np.ndarray:
        """[F, T] strength of the local levies who defend each territory for its holder
        against each attacker."""
        return levies.turnout(self.levy_base, control, self.affinity,
                              self.params.levy_partisanship, self.kin, self.params.levy_kin)

    def fork(self, seed: int) -> AfsimModel:
        """A copy of this run at its current month that goes on with new random streams.

        For data assimilation (a particle filter resamples runs): the copy shares everything
        static (world, drivers, parameters, derived arrays), has its own state and history,
        and draws from ``seed``'s streams from now on.
        """
        twin = copy.copy(self)
        # Mesa keeps the step method bound to the instance (``_user_step``/``step``): rebind
        # both to the twin, or stepping the twin would step this model
        twin._user_step = type(self).step.__get__(twin)
        twin.step = twin._wrapped_step
        twin.state = self.state.copy()
        twin.history = self.history.copy()
        twin.run_seed = int(seed)
        twin.rngs = {name: stream(twin.run_seed, name) for name in STREAMS}
        return twin

    def run(self) -> AfsimModel:
        """Step to the last month; return self."""
        try:
            while self.running:
                self.step()
        finally:
            _forget_model(self)
        return self

