from daemons.common.login_throttle import LoginThrottle, ThrottlePolicy


def test_each_failure_from_an_address_waits_twice_as_long_up_to_the_cap():
    throttle = LoginThrottle(ThrottlePolicy(first_delay=0.5, max_delay=30.0))
    delays = [throttle.failed("192.0.2.7", now=float(t)) for t in range(10)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0, 30.0]
    assert throttle.failed("192.0.2.8", now=10.0) == 0.5  # another address is not punished


def test_a_good_login_or_a_quiet_spell_starts_again():
    throttle = LoginThrottle(ThrottlePolicy(first_delay=1.0, forget_after=60.0))
    throttle.failed("a", 0.0)
    throttle.failed("a", 1.0)
    throttle.succeeded("a")
    assert throttle.failed("a", 2.0) == 1.0
    assert throttle.failed("a", 3.0) == 2.0
    assert throttle.failed("a", 100.0) == 1.0


def test_the_record_is_bounded_and_forgets_the_oldest():
    throttle = LoginThrottle(ThrottlePolicy(max_addresses=3))
    for n in range(10):
        throttle.failed(f"198.51.100.{n}", float(n))
    assert len(throttle) == 3 and throttle.failures("198.51.100.9") == 1
    assert throttle.failures("198.51.100.0") == 0


def test_a_very_long_run_of_failures_stays_at_the_cap():
    throttle = LoginThrottle(ThrottlePolicy(max_delay=30.0))
    for t in range(5000):
        delay = throttle.failed("a", float(t))
    assert delay == 30.0
