"""The propagation state model: every (state, event) pair of State x Event."""
from __future__ import annotations

import itertools

import pytest

from smart_gateway.domain.errors import ErrorCode, GatewayError, IllegalTransition
from smart_gateway.domain.states import (
    TRANSITIONS, Event, State, advance, reference_event, release_event,
)

ALL_PAIRS = list(itertools.product(State, Event))
LEGAL = [p for p in ALL_PAIRS if p in TRANSITIONS]
ILLEGAL = [p for p in ALL_PAIRS if p not in TRANSITIONS]


def _id(pair) -> str:
    return f"{pair[0].value}-{pair[1].value}"


def test_the_product_is_covered():
    assert len(ALL_PAIRS) == len(State) * len(Event) == 120
    assert len(LEGAL) + len(ILLEGAL) == len(ALL_PAIRS)
    assert set(TRANSITIONS) <= set(ALL_PAIRS)
    assert all(isinstance(v, State) for v in TRANSITIONS.values())


@pytest.mark.parametrize("pair", LEGAL, ids=_id)
def test_legal_pair_moves_to_the_tables_target(pair):
    state, event = pair
    assert advance(state, event) is TRANSITIONS[pair]


@pytest.mark.parametrize("pair", ILLEGAL, ids=_id)
def test_illegal_pair_is_refused_naming_the_state(pair):
    state, event = pair
    with pytest.raises(IllegalTransition) as info:
        advance(state, event)
    err = info.value
    assert isinstance(err, GatewayError) and err.code is ErrorCode.ILLEGAL_TRANSITION
    assert err.client_side
    assert state.value in err.message and event.value in err.message


def test_canceled_is_terminal():
    assert not [e for (s, e) in TRANSITIONS if s is State.CANCELED]
    for event in Event:
        with pytest.raises(IllegalTransition, match="terminal"):
            advance(State.CANCELED, event)


def test_every_state_but_dispatched_is_reachable():
    reached = {State.DISPATCHED}
    frontier = [State.DISPATCHED]
    while frontier:
        s = frontier.pop()
        for (src, _), dst in TRANSITIONS.items():
            if src is s and dst not in reached:
                reached.add(dst)
                frontier.append(dst)
    assert reached == set(State)


def test_every_state_but_canceled_can_move_on():
    # a completely referenced instance too: a cascade may change it, or a cut
    # or cancelled successor release part of what it referenced
    movers = {s for (s, _) in TRANSITIONS}
    assert set(State) - movers == {State.CANCELED}


def test_the_table_is_read_only():
    with pytest.raises(TypeError):
        TRANSITIONS[(State.CANCELED, Event.RECEIVE)] = State.RECEIVED  # type: ignore[index]


@pytest.mark.parametrize("referenced,total,event", [
    (1, 10, Event.REFERENCE_PART), (9, 10, Event.REFERENCE_PART),
    (10, 10, Event.REFERENCE_ALL), (11, 10, Event.REFERENCE_ALL),
])
def test_reference_event(referenced, total, event):
    assert reference_event(referenced, total) is event


@pytest.mark.parametrize("referenced,event", [
    (0, Event.RELEASE_ALL), (1, Event.RELEASE_PART), (10, Event.RELEASE_PART),
])
def test_release_event(referenced, event):
    assert release_event(referenced) is event
