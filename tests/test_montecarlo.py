"""Sequential Monte Carlo p-values (Besag & Clifford 1991): exactness, formula, early stop."""

import numpy as np
import pytest

from rd_methods.montecarlo import sequential_test


def test_fixed_number_of_draws_gives_the_usual_p_value():
    draws = np.arange(10.0)[:, None]  # 0 … 9
    res = sequential_test([6.5], draws, exceedances=None)
    assert res.n_draws == 10 and not res.stopped_early
    assert res.p_value[0] == pytest.approx((1 + 3) / 11)  # 7, 8, 9 reach 6.5
    assert res.min_p == pytest.approx(1 / 11)


def test_stop_at_the_h_th_exceedance_gives_h_over_l_per_statistic():
    # statistic 0 is ordinary (every draw reaches it), statistic 1 is never reached
    draws = ([1.0, 0.0] for _ in range(30))
    res = sequential_test([0.5, 2.0], draws, n_max=30, exceedances=4, min_draws=0)
    assert res.n_draws == 30  # the second statistic needs every draw
    assert res.p_value[0] == pytest.approx(4 / 4) and res.used[0] == 4
    assert res.p_value[1] == pytest.approx(1 / 31) and res.used[1] == 30
    # both ordinary: stop as soon as both have 4 exceedances, but not before min_draws
    res = sequential_test([0.5, 0.5], ([1.0, 1.0] for _ in range(100)), n_max=100, exceedances=4, min_draws=12)
    assert res.n_draws == 12 and res.stopped_early
    assert res.p_value.tolist() == [1.0, 1.0] and res.used.tolist() == [4, 4]


def test_the_sequential_p_value_is_exact_under_the_null():
    """Under H0 the observed value is one more draw of the null: P(p <= x) = x at every
    attainable x (Besag & Clifford 1991). 20,000 replicates: standard error 0.002."""
    rng = np.random.default_rng(7)
    n_max, h, reps = 49, 5, 20_000
    p = np.empty(reps)
    lengths = np.empty(reps)
    for r in range(reps):
        x = rng.random(n_max + 1)
        res = sequential_test([x[0]], x[1:, None], n_max=n_max, exceedances=h, min_draws=0)
        p[r], lengths[r] = res.p_value[0], res.n_draws
    for level in (5 / 50, 5 / 25, 5 / 10, 1 / 50 * 3):  # attainable: h / L, or (g + 1) / (n + 1)
        assert abs((p <= level + 1e-12).mean() - level) < 0.01, level
    assert lengths.mean() < 0.5 * n_max  # most null draws stop early


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="no null draw"):
        sequential_test([1.0], [])
    with pytest.raises(ValueError, match="draw 1 has 2 statistics"):
        sequential_test([1.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="exceedances"):
        sequential_test([1.0], [[1.0]], exceedances=0)


def test_ordered_map_keeps_the_order_and_stops_with_its_consumer():
    import threading
    import time

    from rd_methods.montecarlo import ordered_map

    started = []
    lock = threading.Lock()

    def slow_square(x):
        with lock:
            started.append(x)
        time.sleep(0.01 * (5 - x % 5))  # later items finish first
        return x * x

    assert list(ordered_map(slow_square, range(12), workers=3)) == [x * x for x in range(12)]
    # a sequential test that stops after 3 draws: at most workers - 1 more calls start
    started.clear()
    res = sequential_test([-1.0], ordered_map(lambda x: [slow_square(x)], range(1000), workers=3),
                          exceedances=3, min_draws=0)
    assert res.n_draws == 3
    assert len(started) <= 3 + 2
    # the pool's threads are gone once the test returns
    assert not [t for t in threading.enumerate() if t.name.startswith("rd-methods-draw")]
