"""What if Massoud had stood and fought in Kabul in September 1996 instead of withdrawing?

The source: on 26 September 1996 Massoud "concluded that his and President Rabbani's interim
government's forces had been encircled, and decided to quickly evacuate or withdraw those forces
to the north, to avoid destruction" (000_baa254752cc7a07f.txt). The model's withdrawal rule is
the same for every faction (no rule names one), so here no encircled garrison anywhere withdraws
(``withdraw_threshold`` = 1): the question is asked of every front at once, Kabul among them.

Run from the repository: ``python scenarios/what_if/massoud_stands_in_kabul.py``.
"""

import sim

if __name__ == "__main__":
    sim.what_if("no_withdrawal", "Encircled garrisons stand and fight", [],
                parameters={"withdraw_threshold": 1.0})
