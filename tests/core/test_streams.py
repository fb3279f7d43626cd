"""The model as a whole: determinism, honesty, invariants, batch_run, golden baseline."""
import numpy as np

from sim.core.streams import stream


def test_streams_are_independent_per_mechanism():
    a, b = stream(5, "combat").random(4), stream(5, "defection").random(4)
    assert not np.allclose(a, b)
    assert np.allclose(a, stream(5, "combat").random(4))
