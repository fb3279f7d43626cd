"""What if Pakistan had kept backing Hekmatyar (no turn to the Taliban in 1994)?

The source: "when Hekmatyar in 1994 had failed to 'deliver for Pakistan', Pakistan turned towards
a new force: the Taliban" and "at least since October 1994, Pakistan and especially the
Pakistani Inter-Services Intelligence were heavily supporting the Taliban"
(000_baa254752cc7a07f.txt). Here Pakistan's money and volunteers stay with Hezb-e Islami and
never reach the Taliban, who still enter in October 1994 with what they brought.

Run from the repository: ``python scenarios/what_if/pakistan_keeps_hekmatyar.py``.
"""

import sim

CHANGES = [
    {"proxy": {"backer": "pakistan", "faction": "hezb_gulbuddin", "to": None}},
    {"drop_proxy": {"backer": "pakistan", "faction": "taliban"}},
]

if __name__ == "__main__":
    sim.what_if("pakistan_keeps_hekmatyar", "Pakistan keeps backing Hekmatyar", CHANGES)
