"""Bad-input cases for scratch.envs: Gymnasium-style environments, spaces and the wrapper.

An out-of-range or float action, a step before reset or after the episode ended, a bad
transition table or start distribution, a wrong seed: each is refused with a clear error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.envs.cartpole import CartPole, cartpole_dynamics  # noqa: E402
from scratch.envs.core import Env, ResetNeeded, TabularEnv, transition_arrays  # noqa: E402
from scratch.envs.spaces import Box, Discrete, Space  # noqa: E402
from scratch.envs.tabular import CliffWalking, FrozenLake, GridWorld, MaxBias, RandomWalk, ShortCorridor  # noqa: E402
from scratch.envs.wrappers import DiscretizeObservation  # noqa: E402

P2 = {0: {0: [(1.0, 1, 0.0, False)], 1: [(1.0, 0, 0.0, False)]},
      1: {0: [(1.0, 1, 1.0, True)], 1: [(1.0, 0, 0.0, False)]}}


def reset(env, seed=0):
    env.reset(seed=seed)
    return env


def cartpole_finished():
    env = CartPole()
    env.reset(seed=0)
    while True:
        *_, terminated, truncated, _ = env.step(1)
        if terminated or truncated:
            return env


def edges4():
    return [np.linspace(-1, 1, 3)] * 4


CASES = [
    # --- the Env API (step before reset / after the end, actions outside the space) ------------
    Case(CartPole().step, lambda: CartPole().step(0), ResetNeeded, r"before reset\(\).*Call env.reset\(\)",
         label="step before reset"),
    Case(CartPole().step, lambda: cartpole_finished().step(0), ResetNeeded, "after the episode ended",
         label="step after termination"),
    Case(CartPole().step, lambda: reset(CartPole()).step(2), ValueError, r"action 2 is outside the action space Discrete\(2\)",
         label="action out of range"),
    Case(CartPole().step, lambda: reset(CartPole()).step(1.0), ValueError, "outside the action space",
         label="float action"),
    Case(CartPole().step, lambda: reset(CartPole()).step(None), ValueError, "outside the action space",
         label="None action"),
    Case(CartPole().step, lambda: reset(CartPole()).step(np.array([0, 1])), ValueError, "outside the action space",
         label="array of actions"),
    Case(CartPole().reset, lambda: CartPole().reset(seed=1.5), TypeError, "seed must be an int",
         label="float seed"),
    Case(CartPole().reset, lambda: CartPole().reset(seed="0"), TypeError, "seed must be an int",
         label="string seed"),
    Case(CartPole().reset, lambda: CartPole().reset(seed=0, options=[0.1]), TypeError, "options must be a dict",
         label="options not a dict"),
    Case(CartPole, lambda: CartPole(max_episode_steps=0), ValueError, "max_episode_steps must be >= 1"),
    Case(CartPole, lambda: CartPole(max_episode_steps=10.5), TypeError, "max_episode_steps must be an integer"),
    Case(CartPole().reset, lambda: CartPole().reset(seed=0, options={"low": 0.1, "high": -0.1}), ValueError,
         "options low <= high", label="reset options low > high"),
    Case(Env, lambda: Env().step(0), ResetNeeded, "before reset", label="base class step"),
    Case(cartpole_dynamics, lambda: cartpole_dynamics(np.zeros(3), 0), ValueError,
         r"state must have shape \(\.\.\., 4\)", label="state of 3 numbers"),
    Case(cartpole_dynamics, lambda: cartpole_dynamics(np.zeros(4), 2), ValueError, "action must be 0 .left. or 1",
         label="action 2"),
    Case(cartpole_dynamics, lambda: cartpole_dynamics(np.zeros(4), 0.5), ValueError, "action must be 0 .left. or 1",
         label="float action"),
    Case(cartpole_dynamics, lambda: cartpole_dynamics(np.zeros((5, 4)), np.zeros(3, dtype=int)), ValueError,
         "one action per state", label="batch of actions of the wrong length"),
    Case(cartpole_dynamics, lambda: cartpole_dynamics(np.full(4, np.nan), 0), ValueError, "NaN or infinite",
         label="NaN state"),
    # --- tabular environments -----------------------------------------------------------------
    Case(TabularEnv, lambda: TabularEnv(P2, [0.5, 0.6]), ValueError, "summing to 1", label="isd sums to 1.1"),
    Case(TabularEnv, lambda: TabularEnv(P2, [1.0]), ValueError, r"2 non-negative probabilities", label="isd too short"),
    Case(TabularEnv, lambda: TabularEnv({0: {0: [(0.5, 0, 0.0, False)]}}, [1.0]), ValueError, "sum to 0.5, not 1",
         label="probabilities of P[s][a] sum to 0.5"),
    Case(TabularEnv, lambda: TabularEnv({0: {0: [(1.0, 3, 0.0, False)]}}, [1.0]), ValueError,
         r"next state 3.*0\.\.0", label="next state out of range"),
    Case(TabularEnv, lambda: TabularEnv({0: {0: [(1.0, 0, 0.0)]}}, [1.0]), ValueError,
         r"\(prob, next_state, reward, terminated\)", label="outcome tuple of 3"),
    Case(TabularEnv, lambda: TabularEnv(P2, [1.0, 0.0], max_episode_steps=0), ValueError, "max_episode_steps must be >= 1"),
    Case(TabularEnv, lambda: TabularEnv(P2, [1.0, 0.0], n_actions=0), ValueError, "n_actions must be >= 1"),
    Case(TabularEnv, lambda: TabularEnv({}, []), ValueError, "at least one state", label="empty table"),
    Case(TabularEnv(P2, [1.0, 0.0]).available_actions, lambda: TabularEnv(P2, [1.0, 0.0]).available_actions(5),
         ValueError, r"state 5 is outside 0\.\.1", label="state out of range"),
    Case(TabularEnv(P2, [1.0, 0.0]).action_mask, lambda: TabularEnv(P2, [1.0, 0.0]).action_mask(-1),
         ValueError, r"state -1 is outside 0\.\.1", label="negative state"),
    Case(TabularEnv(P2, [1.0, 0.0]).action_mask, lambda: TabularEnv(P2, [1.0, 0.0]).action_mask(0.0),
         TypeError, "state must be an integer", label="float state"),
    Case(transition_arrays, lambda: transition_arrays({0: {0: [(0.7, 0, 1.0, False)]}}), ValueError, "not 1",
         label="probabilities sum to 0.7"),
    Case(transition_arrays, lambda: transition_arrays(P2, n_actions=3), ValueError, r"P\[0\]\[2\] is missing"),
    Case(transition_arrays, lambda: transition_arrays({0: {0: [(1.0, 2, 0.0, False)]}}), ValueError,
         r"next state 2.*0\.\.0", label="next state out of range"),
    Case(transition_arrays, lambda: transition_arrays(None), TypeError, "transition table", label="None"),
    Case(GridWorld, lambda: GridWorld(size=1), ValueError, "size must be >= 2"),
    Case(GridWorld().step, lambda: reset(GridWorld()).step(4), ValueError, "outside the action space",
         label="action 4 of 4"),
    Case(GridWorld().step, lambda: reset(GridWorld()).step(-1), ValueError, "outside the action space",
         label="negative action"),
    Case(CliffWalking, lambda: CliffWalking(is_slippery="yes"), TypeError, "is_slippery must be a bool"),
    Case(CliffWalking().step, lambda: CliffWalking().step(0), ResetNeeded, "before reset"),
    Case(FrozenLake, lambda: FrozenLake(map_name="5x5"), ValueError, "Unknown map_name='5x5'"),
    Case(FrozenLake, lambda: FrozenLake(success_rate=1.5), ValueError, r"success_rate must lie in \[0, 1\]"),
    Case(FrozenLake, lambda: FrozenLake(max_episode_steps=0), ValueError, "max_episode_steps must be >= 1"),
    Case(FrozenLake().step, lambda: reset(FrozenLake()).step(np.int64(7)), ValueError, "outside the action space"),
    Case(RandomWalk, lambda: RandomWalk(n_states=4), ValueError, "n_states must be odd"),
    Case(RandomWalk, lambda: RandomWalk(n_states=0), ValueError, "n_states must be >= 1"),
    Case(RandomWalk, lambda: RandomWalk(left_reward=np.nan), ValueError, "left_reward must be finite"),
    Case(MaxBias, lambda: MaxBias(n_actions_b=1), ValueError, "n_actions_b must be >= 2"),
    Case(MaxBias, lambda: MaxBias(std=-1.0), ValueError, "std must be finite and >= 0"),
    Case(MaxBias, lambda: MaxBias(mean=np.inf), ValueError, "mean must be finite"),
    Case(ShortCorridor().value_of_right_probability, lambda: ShortCorridor().value_of_right_probability(1.0),
         ValueError, r"p_right must lie in \(0, 1\)"),
    Case(ShortCorridor().value_of_right_probability, lambda: ShortCorridor().value_of_right_probability(np.nan),
         ValueError, r"p_right must lie in \(0, 1\)", label="NaN"),
    Case(ShortCorridor().step, lambda: reset(ShortCorridor()).step(2), ValueError, "outside the action space"),
    # --- spaces -------------------------------------------------------------------------------
    Case(Discrete, lambda: Discrete(0), ValueError, "n must be >= 1"),
    Case(Discrete, lambda: Discrete(2.0), TypeError, "n must be an integer"),
    Case(Discrete(3).sample, lambda: Discrete(3).sample(rng="seed"), TypeError, "rng must be a numpy Generator"),
    Case(Box, lambda: Box(1.0, 0.0), ValueError, "low <= high"),
    Case(Box, lambda: Box(np.zeros(3), np.ones(2)), ValueError, "do not broadcast"),
    Case(Box, lambda: Box(np.nan, 1.0), ValueError, "NaN", label="NaN bound"),
    Case(Box, lambda: Box(0.0, 1.0, shape=(-2,)), ValueError, "shape must hold non-negative", label="negative shape"),
    Case(Box(0.0, 1.0, shape=(2,)).sample, lambda: Box(0.0, 1.0, shape=(2,)).sample(rng=1.5), TypeError,
         "rng must be a numpy Generator"),
    Case(Space().sample, lambda: Space().sample(), NotImplementedError, "Space is abstract",
         label="base class sample"),
    # --- wrapper ------------------------------------------------------------------------------
    Case(DiscretizeObservation, lambda: DiscretizeObservation(CartPole(), [np.zeros(2)] * 3), ValueError,
         "one array of bin edges per observation coordinate"),
    Case(DiscretizeObservation, lambda: DiscretizeObservation(GridWorld(), [np.zeros(2)]), ValueError,
         "one array of bin edges per observation coordinate", label="Discrete observation space"),
    Case(DiscretizeObservation, lambda: DiscretizeObservation(CartPole(), [[0.0, np.nan]] * 4), ValueError,
         "edges.* NaN", label="NaN edge"),
    Case(DiscretizeObservation(CartPole(), edges4()).index,
         lambda: DiscretizeObservation(CartPole(), edges4()).index(np.zeros(3)), ValueError,
         r"observations of shape \(4,\) or \(n, 4\)", label="observation of 3 numbers"),
    Case(DiscretizeObservation(CartPole(), edges4()).index,
         lambda: DiscretizeObservation(CartPole(), edges4()).index(np.full(4, np.nan)), ValueError,
         "NaN or infinite", label="NaN observation"),
    Case(DiscretizeObservation(CartPole(), edges4()).step,
         lambda: DiscretizeObservation(CartPole(), edges4()).step(0), ResetNeeded, "before reset"),
    Case(DiscretizeObservation(CartPole(), edges4()).step,
         lambda: reset(DiscretizeObservation(CartPole(), edges4())).step(5), ValueError, "outside the action space",
         label="action out of range"),
]

EXEMPT = {
    "scratch.envs.core.ResetNeeded": "an exception class: raised by step(), it takes no user input",
}


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
