"""Bad-input cases for scratch.ode (see _harness.py for the format)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.ode.solvers import (ODESolution, dopri5, dopri5_step, euler, euler_step, odeint, rk4,  # noqa: E402
                                 rk4_step)


def decay(t, y):
    return -y


Y0, T = np.array([1.0, 2.0]), np.linspace(0.0, 1.0, 5)

CASES = [
    Case(odeint, lambda: odeint(decay, Y0, T, method="rk45"), ValueError, "Unknown method", label="unknown method"),
    Case(odeint, lambda: odeint(decay, [np.nan, 1.0], T), ValueError, "y0 contains NaN", label="NaN y0"),
    Case(odeint, lambda: odeint(decay, Y0, [0.0, 1.0, 0.5]), ValueError, "strictly increasing",
         label="non-monotonic t"),
    Case(odeint, lambda: odeint(decay, Y0, T, atol=-1.0), ValueError, "atol must be finite and > 0",
         label="negative atol"),
    Case(odeint, lambda: odeint("decay", Y0, T), TypeError, "f must be a callable", label="f not callable"),
    Case(odeint, lambda: odeint(lambda t, y: np.zeros(3), Y0, T), ValueError, "returned shape",
         label="f returns the wrong shape"),
    Case(euler, lambda: euler(decay, Y0, T, step=0.0), ValueError, "step must be finite and > 0", label="zero step"),
    Case(euler, lambda: euler(decay, [], T), ValueError, "y0 is empty", label="empty y0"),
    Case(euler, lambda: euler(decay, Y0, [[0.0, 1.0]]), ValueError, "t must be a 1-D array", label="2-D t"),
    Case(rk4, lambda: rk4(decay, "one", T), TypeError, "y0 must be a numeric array", label="string y0"),
    Case(rk4, lambda: rk4(decay, Y0, [0.0, np.inf]), ValueError, "t contains NaN or infinite", label="inf in t"),
    Case(rk4, lambda: rk4(decay, Y0, T, step=-0.1), ValueError, "step must be finite and > 0", label="negative step"),
    Case(dopri5, lambda: dopri5(decay, Y0, T, rtol=0.0), ValueError, "rtol must be finite and > 0", label="zero rtol"),
    Case(dopri5, lambda: dopri5(decay, Y0, T, max_steps=0), ValueError, "max_steps must be >= 1",
         label="zero max_steps"),
    Case(dopri5, lambda: dopri5(decay, Y0, T, max_steps=2.5), TypeError, "max_steps must be an integer",
         label="float max_steps"),
    Case(dopri5, lambda: dopri5(decay, Y0, T, first_step=np.nan), ValueError, "first_step must be finite",
         label="NaN first_step"),
    Case(euler_step, lambda: euler_step("f", 0.0, Y0, 0.1), TypeError, "f must be a callable", label="f not callable"),
    Case(euler_step, lambda: euler_step(decay, 0.0, Y0, np.nan), ValueError, "h must be a finite",
         label="NaN step"),
    Case(rk4_step, lambda: rk4_step(decay, 0.0, Y0, "0.1"), TypeError, "h must be a real number",
         label="string step"),
    Case(rk4_step, lambda: rk4_step(decay, np.inf, Y0, 0.1), ValueError, "t must be a finite", label="inf time"),
    Case(dopri5_step, lambda: dopri5_step(None, 0.0, Y0, 0.1), TypeError, "f must be a callable",
         label="f is None"),
    Case(dopri5_step, lambda: dopri5_step(decay, 0.0, Y0, 0.1, k1=np.zeros(3)), ValueError,
         "k1 has shape", label="k1 of the wrong shape"),
    Case(ODESolution, lambda: ODESolution(t=np.zeros(3), y=np.zeros((2, 2)), nfev=0, n_steps=0, n_rejected=0,
                                          method="rk4"), ValueError, "one row per time",
         label="y and t of different lengths"),
    Case(ODESolution, lambda: ODESolution(t=T, y=np.zeros((5, 2)), nfev=0, n_steps=0, n_rejected=0,
                                          method="midpoint"), ValueError, "Unknown method", label="unknown method"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
