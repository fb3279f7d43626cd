"""What if Dostum had stayed with the government in 1994 (no coalition with Hekmatyar)?

The source: "In January 1994, Dostum, for different reasons, joined with the Hezb-e Islami of
Gulbuddin Hekmatyar" (000_baa254752cc7a07f.txt). Here the January 1994 rows that made Junbish
Hezb-e Islami's ally and the government's enemy are dropped: Junbish stays allied with Jamiat
as in 1992.

Run from the repository: ``python scenarios/what_if/dostum_stays_with_government.py``.
"""

import sim

CHANGES = [
    {"remove_alliance": {"a": "junbish", "b": "hezb_gulbuddin", "date": "1994-01"}},
    {"remove_alliance": {"a": "junbish", "b": "jamiat", "date": "1994-01"}},
]

if __name__ == "__main__":
    sim.what_if("dostum_stays", "Dostum stays with the government in 1994", CHANGES)
