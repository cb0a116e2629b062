from daemons.ct_listener.sequence import Contiguity


def test_mark_is_the_highest_gap_free_number():
    c = Contiguity([1, 2, 3, 5, 6, 9])
    assert c.mark == 3
    assert c.missing() == [4, 7, 8]
    c.add(4)
    assert c.mark == 6
    c.add_all([8, 7])
    assert c.mark == 9 and c.missing() == []


def test_nothing_stored_means_mark_zero_and_duplicates_are_harmless():
    c = Contiguity()
    assert c.mark == 0 and c.first_missing() == 1
    c.add_all([2, 2, 3])
    assert c.mark == 0 and c.highest == 3
    c.add(1)
    c.add(1)
    assert c.mark == 3
