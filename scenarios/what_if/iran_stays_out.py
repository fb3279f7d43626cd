"""What if Iran had stayed out (no support for Wahdat, no January 1996 deal)?

The source: Wahdat "was strongly supported by Shia Iran" and, in January 1996, "Iran intervened
and the Khalili faction of Hezb-i Wahdat signed a peace agreement" with the government
(000_baa254752cc7a07f.txt). Here Iran funds no one and the January 1996 rapprochement between
Wahdat and the government does not happen.

Run from the repository: ``python scenarios/what_if/iran_stays_out.py``.
"""

import sim

CHANGES = [
    {"drop_proxy": {"backer": "iran", "faction": "wahdat"}},
    {"remove_alliance": {"a": "wahdat", "b": "jamiat", "date": "1996-01"}},
]

if __name__ == "__main__":
    sim.what_if("iran_stays_out", "Iran stays out", CHANGES)
