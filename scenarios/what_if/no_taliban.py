"""What if the Taliban had never entered the war?

The source: "The movement was founded in September 1994" and "On 12 October 1994, the Taliban
scored their first victory" (000_baa254752cc7a07f.txt). Here the Taliban never enter; Pakistan's
backing of them therefore never flows (it follows its proxies into the war).

Run from the repository: ``python scenarios/what_if/no_taliban.py``.
"""

import sim

CHANGES = [{"drop_entry": "taliban"}]

if __name__ == "__main__":
    sim.what_if("no_taliban", "No Taliban", CHANGES)
