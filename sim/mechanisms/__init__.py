"""Layer 3, mechanisms: one module each, pure functions over plain arrays with an explicit
random generator, testable without a model. The model applies them each month in this order
(the ODD's process schedule; ``docs/ODD.md``):

1. :mod:`~sim.mechanisms.events` — the month's driver events
2. :mod:`~sim.mechanisms.alliances` — recorded relations, or the alliance rules
3. :mod:`~sim.mechanisms.backers` — backers fund proxies, send volunteers, learn
4. :mod:`~sim.mechanisms.economy` — income, upkeep, desertion, recruitment; with
   :mod:`~sim.mechanisms.weapons`, recruits are armed
5. :mod:`~sim.mechanisms.movement` — rear garrisons move towards the front
6. :mod:`~sim.mechanisms.offensives` — factions choose offensives by expected value
7. :mod:`~sim.mechanisms.withdrawal`, :mod:`~sim.mechanisms.combat` (strength per fighter with
   :mod:`~sim.mechanisms.morale`),
   :mod:`~sim.mechanisms.weapons` — encircled garrisons withdraw, battles are fought, weapons
   are captured
8. :mod:`~sim.mechanisms.defection` — bandwagoning defections, in cascades, towards the
   factions with momentum (:mod:`~sim.mechanisms.momentum`, updated at the month's end)
"""
