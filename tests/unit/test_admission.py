from daemons.ct_listener.admission import Admission, Budgets


def budgets(**overrides: int) -> Budgets:
    values = dict(max_pending=3, max_pending_per_address=2, max_admitted=2,
                  max_admitted_per_address=1)  # fmt: skip
    return Budgets(**{**values, **overrides})


def test_strangers_are_capped_per_address_and_the_oldest_makes_room():
    gate: Admission[str] = Admission(budgets())
    assert gate.arrive("a1", "10.0.0.1").refusal is None
    assert gate.arrive("a2", "10.0.0.1").refusal is None
    assert gate.arrive("a3", "10.0.0.1").refusal == "pending_address_cap"
    assert gate.arrive("b1", "10.0.0.2").evict is None
    decision = gate.arrive("c1", "10.0.0.3")  # pending full: a1 waited longest
    assert decision.refusal is None and decision.evict == "a1"
    assert gate.pending == 3
    assert gate.arrive("a4", "10.0.0.1").refusal is None  # a1's slot went with it


def test_logged_in_connections_have_their_own_budget():
    gate: Admission[str] = Admission(budgets())
    for name, address in (("x", "10.0.0.1"), ("y", "10.0.0.2"), ("z", "10.0.0.3")):
        gate.arrive(name, address)
    assert gate.promote("x") is None and gate.promote("y") is None
    assert (gate.pending, gate.admitted) == (1, 2)
    assert gate.promote("z") == "connection_cap"
    gate.leave("x")
    gate.arrive("x2", "10.0.0.2")
    assert gate.promote("x2") == "address_cap"  # y already holds 10.0.0.2's one slot
    gate.arrive("w", "10.0.0.9")
    assert gate.promote("w") is None


def test_leaving_frees_the_slot_whichever_state_it_was_in():
    gate: Admission[str] = Admission(budgets(max_pending=1))
    gate.arrive("p", "10.0.0.1")
    gate.leave("p")
    gate.leave("p")  # twice is harmless
    assert gate.arrive("q", "10.0.0.1").evict is None
    assert gate.promote("q") is None
    gate.leave("q")
    assert (gate.pending, gate.admitted) == (0, 0)
