"""project88.simulate against scripted CTP01 servers on real sockets (shared/ctp01.md).

Every conversation test starts a tiny asyncio server on 127.0.0.1 port 0 whose
script plays the listener's side and asserts what the simulated client sends.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import re
import socket
import time
from collections.abc import Awaitable, Callable

import pytest

from daemons.ct_listener.auth import verify
from project88.simulate import (
    SimConfig,
    SimRead,
    SimStats,
    SimulatedClient,
    add_arguments,
    build_buffer,
    configs_from_args,
    expected_reads,
    render_time,
    run_clients,
    run_from_args,
)

EVENT_DATE = dt.date(2025, 10, 11)
TZ = "America/New_York"
STEP = 5.0  # the longest any single expected line may take
REFERENCE_SETTINGS = (
    "stream-mode=push",
    "pushmode-ack=true",
    "location=multi",
    "time-format=iso",
    "newlocations=true",
)
TAG_LINE = re.compile(r"^CT01_33~(\d+)~([^~]+)~([^~]+)~([^~]+)~(\d+)~([0-9A-F]{6})~(\d+)$")


class Peer:
    """The server's end of one client connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def send(self, *lines: str) -> None:
        self.writer.write("".join(f"{line}\r\n" for line in lines).encode())

    async def recv(self) -> str:
        raw = await asyncio.wait_for(self.reader.readline(), STEP)
        if not raw:
            raise EOFError("client closed the connection")
        assert raw.endswith(b"\r\n"), raw
        return raw[:-2].decode("utf-8", errors="replace")

    async def handshake(self, settings: tuple[str, ...] = REFERENCE_SETTINGS) -> str:
        greeting = await self.recv()
        self.send(f"Project88Hub~1.0~{len(settings)}", *settings)
        return greeting

    async def reads(self, count: int) -> list[tuple[str, ...]]:
        """The next ``count`` lines, each required to be a keyed tag line, as fields."""
        out = []
        for _ in range(count):
            line = await self.recv()
            match = TAG_LINE.match(line)
            assert match, line
            out.append(match.groups())
        return out

    async def assert_closed_by_client(self) -> None:
        raw = await asyncio.wait_for(self.reader.read(), STEP)
        assert raw == b"", raw

    def close(self) -> None:
        self.writer.close()


Script = Callable[[asyncio.Queue[Peer], SimulatedClient], Awaitable[object]]


def make_cfg(port: int, **overrides: object) -> SimConfig:
    settings: dict[str, object] = {
        "port": port,
        "athletes": 5,
        "rate": 0.0,
        "event_date": EVENT_DATE,
        "linger": 0.2,
        "close_timeout": 0.1,  # these scripted servers never close on our half-close
        "reconnect_delay": 0.05,
        "max_runtime": 10.0,
    }
    settings.update(overrides)
    return SimConfig(**settings)  # type: ignore[arg-type]


async def next_peer(peers: asyncio.Queue[Peer]) -> Peer:
    return await asyncio.wait_for(peers.get(), STEP)


async def start_server() -> tuple[asyncio.Server, asyncio.Queue[Peer], list[Peer], int]:
    peers: asyncio.Queue[Peer] = asyncio.Queue()
    opened: list[Peer] = []

    def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = Peer(reader, writer)
        opened.append(peer)
        peers.put_nowait(peer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    return server, peers, opened, server.sockets[0].getsockname()[1]


def converse(
    script: Script,
    on_read_sent: Callable[[str, int, float], None] | None = None,
    **overrides: object,
) -> tuple[SimStats, object]:
    """Run one client against ``script``; return the client's stats and the script's result."""

    async def main() -> tuple[SimStats, object]:
        server, peers, opened, port = await start_server()
        client = SimulatedClient(make_cfg(port, **overrides), on_read_sent)
        running = asyncio.create_task(client.run())
        try:
            result = await asyncio.wait_for(script(peers, client), 10)
            stats = await asyncio.wait_for(running, 10)
        finally:
            running.cancel()
            for peer in opened:
                peer.close()
            server.close()
        return stats, result

    return asyncio.run(main())


async def serve_everything(peer: Peer, per_location: int) -> list[tuple[str, ...]]:
    """Handshake, learn the locations, plain ``start``, and collect every read."""
    await peer.handshake()
    peer.send("getlocations")
    while (line := await peer.recv()).startswith("CT01_33~0~"):
        pass  # newlocation announcements
    locations = line.split("~")[2:]
    assert line.startswith("ack~getlocations~"), line
    peer.send("start")
    assert await peer.recv() == "ack~start"
    return await peer.reads(len(locations) * per_location)


# --------------------------------------------------------------------------- buffer


def test_build_buffer_is_deterministic_and_plausible() -> None:
    cfg = SimConfig(athletes=50, locations=("start", "10k", "finish"), event_date=EVENT_DATE)
    buffer = build_buffer(cfg)
    assert buffer == build_buffer(cfg)
    assert buffer != build_buffer(SimConfig(**{**cfg.__dict__, "seed": 2}))
    assert expected_reads(cfg) == sum(len(reads) for reads in buffer.values()) == 3 * 51

    crossing: dict[str, dict[str, dt.datetime]] = {}
    for location, reads in buffer.items():
        assert [r.seq for r in reads] == list(range(1, 52))
        gun = reads[0]
        assert (gun.tag, gun.lap, gun.gator) == ("GUNTIME", 0, 0)
        assert gun.when == dt.datetime(2025, 10, 11, 8, 0)
        athletes = reads[1:]
        assert sorted(r.tag for r in athletes) == sorted(str(b) for b in range(1, 51))
        assert all(r.lap == 1 and r.gator in (1, 2, 4, 8) for r in athletes)
        assert all(r.reader_id == "117F37" and r.location == location for r in reads)
        whens = [r.when for r in reads]
        assert whens == sorted(whens)
        assert all(w.date() == EVENT_DATE and w.microsecond % 10_000 == 0 for w in whens)
        crossing[location] = {r.tag: r.when for r in athletes}
    for bib, at_start in crossing["start"].items():
        assert at_start < crossing["10k"][bib] < crossing["finish"][bib]


def test_split_course_agrees_with_whole_course() -> None:
    course = ("start", "10k", "finish")
    whole = build_buffer(SimConfig(athletes=20, locations=course, event_date=EVENT_DATE))
    share = build_buffer(
        SimConfig(athletes=20, locations=("10k",), course=course, event_date=EVENT_DATE)
    )
    assert share == {"10k": whole["10k"]}


def test_expected_reads_without_guntimes() -> None:
    cfg = SimConfig(athletes=7, guntimes=False, first_bib=100)
    buffer = build_buffer(cfg)
    assert expected_reads(cfg) == 14
    assert buffer["start"][0].tag != "GUNTIME"
    assert {r.tag for r in buffer["finish"]} == {str(b) for b in range(100, 107)}


@pytest.mark.parametrize(
    ("time_format", "line_format", "expected"),
    [
        ("normal", "CT01_33", "CT01_33~2~finish~1894~10:24:37.12~1~117F37~2"),
        ("iso", "CT01_33", "CT01_33~2~finish~1894~2025-10-11T10:24:37.12~1~117F37~2"),
        ("unix", "CT01_33", "CT01_33~2~finish~1894~1760178277.12~1~117F37~2"),
        ("msecs", "CT01_33", "CT01_33~2~finish~1894~37477123~1~117F37~2"),
        ("iso", "CT01_13", "CT01_13,2,finish,1894,2025-10-11T10:24:37.12,1,117F37,2"),
    ],
)
def test_read_line_rendering(time_format: str, line_format: str, expected: str) -> None:
    when = dt.datetime(2025, 10, 11, 10, 24, 37, 123456)
    read = SimRead("finish", 2, "1894", when, 1, "117F37", 2)
    assert read.line(time_format, line_format) == expected


@pytest.mark.parametrize(
    ("time_format", "expected"), [("unix", "1620460701.95"), ("msecs", "28701950")]
)
def test_wall_clock_formats_as_simpleclient_sends_them(time_format: str, expected: str) -> None:
    # ctp01.md §3: SimpleClient 0.6.0 sends 07:58:21.95 local as these, whatever its zone.
    assert render_time(dt.datetime(2021, 5, 8, 7, 58, 21, 950000), time_format) == expected


# --------------------------------------------------------------------------- handshake


def test_reference_conversation() -> None:
    sent: list[tuple[str, int]] = []

    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        peer = await next_peer(peers)
        assert await peer.handshake() == "SimpleClient~0.6.0~CTP01"
        assert await peer.recv() == "CT01_33~0~finish~newlocation~00:00:00.00~0~0~0"
        peer.send("geteventinfo")
        assert await peer.recv() == "ack~geteventinfo~Hartford Marathon~0~Hartford Marathon"
        peer.send("start~finish~1")
        assert await peer.recv() == "CT01_33~1~finish~GUNTIME~2025-10-11T08:00:00.00~0~117F37~0"
        reads = await peer.reads(3)
        assert [r[0] for r in reads] == ["2", "3", "4"]
        for _seq, location, tag, when, lap, reader, gator in reads:
            assert location == "finish" and lap == "1" and reader == "117F37"
            assert tag in {"1", "2", "3"} and gator in {"1", "2", "4", "8"}
            assert re.fullmatch(r"2025-10-11T\d\d:\d\d:\d\d\.\d\d", when)
        peer.send("ping")
        assert await peer.recv() == "ack~ping"
        await peer.assert_closed_by_client()  # everything sent, linger over

    stats, _ = converse(
        script,
        on_read_sent=lambda loc, seq, stamp: sent.append((loc, seq)),
        locations=("finish",),
        athletes=3,
        event_name="Hartford Marathon",
    )
    assert stats == SimStats(
        connections=1,
        reads_sent=4,
        resent=0,
        malformed_sent=0,
        starts_received=["start~finish~1"],
        refused=None,
    )
    assert sent == [("finish", 1), ("finish", 2), ("finish", 3), ("finish", 4)]


def test_command_replies_and_plain_start() -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        peer = await next_peer(peers)
        await peer.handshake((*REFERENCE_SETTINGS, "x-unknown-key=whatever"))
        assert await peer.recv() == "CT01_33~0~start~newlocation~00:00:00.00~0~0~0"
        assert await peer.recv() == "CT01_33~0~finish~newlocation~00:00:00.00~0~0~0"
        peer.send("PING")  # the client lower-cases commands
        assert await peer.recv() == "ack~ping"
        peer.send("getlocations")
        assert await peer.recv() == "ack~getlocations~start~finish"
        peer.send("geteventinfo")
        assert await peer.recv() == "ack~geteventinfo~Simulated Race~0~Simulated Race"
        peer.send("getconnectionid")
        assert re.fullmatch(r"ack~getconnectionid~[0-9a-f]{40}", await peer.recv())
        peer.send("frobnicate~now", "ack~ping", "stop", "ping")  # unknown and acks: silence
        assert await peer.recv() == "ack~ping"
        peer.send("start")
        assert await peer.recv() == "ack~start"
        reads = await peer.reads(12)
        for location in ("start", "finish"):
            assert [int(r[0]) for r in reads if r[1] == location] == list(range(1, 7))
        await peer.assert_closed_by_client()

    stats, _ = converse(script)
    assert stats.reads_sent == 12 and stats.starts_received == ["start"]


def test_plain_start_without_pushmode_ack() -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        peer = await next_peer(peers)
        await peer.handshake(("stream-mode=push", "time-format=iso"))
        peer.send("start")
        assert TAG_LINE.match(await peer.recv())  # no ack~start, no newlocation

    stats, _ = converse(script, locations=("finish",), athletes=0)
    assert stats.reads_sent == 1


def test_start_from_n_inclusive_and_invalid_starts() -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        peer = await next_peer(peers)
        await peer.handshake()
        await peer.recv(), await peer.recv()  # newlocations
        for bad, error in [
            ("start~nowhere~1", "err~start~invalid location requested"),
            ("start~nowhere", "err~start~invalid location requested"),
            ("start~finish~0", "err~start~invalid start sequence number requested"),
            ("start~finish~8", "err~start~invalid start sequence number requested"),
            ("start~finish~x", "err~start~invalid start sequence number requested"),
        ]:
            peer.send(bad)
            assert await peer.recv() == error
        peer.send("start~finish~7", "ping")  # one past the end is valid: nothing to send
        assert await peer.recv() == "ack~ping"
        peer.send("start~finish~4")
        assert [(r[0], r[1]) for r in await peer.reads(3)] == [
            ("4", "finish"),
            ("5", "finish"),
            ("6", "finish"),
        ]
        peer.send("start~finish", "ping")  # running: unaffected
        assert await peer.recv() == "ack~ping"
        peer.send("stop~finish", "start~finish")  # stopped: replays from 1
        assert [int(r[0]) for r in await peer.reads(6)] == [1, 2, 3, 4, 5, 6]
        peer.send("start~START~6")
        assert (await peer.reads(1))[0][:2] == ("6", "start")
        await peer.assert_closed_by_client()

    stats, _ = converse(script)
    assert stats.reads_sent == 10
    assert stats.resent == 3  # finish 4..6 went out twice
    assert stats.starts_received[-1] == "start~START~6"
    assert len(stats.starts_received) == 10


@pytest.mark.parametrize(
    ("settings", "gun_time", "separator"),
    [
        (("time-format=normal",), "08:00:00.00", "~"),
        (("time-format=iso",), "2025-10-11T08:00:00.00", "~"),
        (("time-format=unix",), "1760169600.00", "~"),
        (("time-format=msecs",), "28800000", "~"),
        (("time-format=iso", "tagevent-format=CT01_13"), "2025-10-11T08:00:00.00", ","),
    ],
)
def test_negotiated_time_and_line_formats(
    settings: tuple[str, ...], gun_time: str, separator: str
) -> None:
    cfg_buffer = build_buffer(SimConfig(locations=("finish",), athletes=1, event_date=EVENT_DATE))
    time_format = settings[0].split("=")[1]
    line_format = "CT01_13" if separator == "," else "CT01_33"

    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> list[str]:
        peer = await next_peer(peers)
        await peer.handshake(("stream-mode=push", "newlocations=true", *settings))
        fields = (line_format, "0", "finish", "newlocation", "00:00:00.00", "0", "0", "0")
        assert await peer.recv() == separator.join(fields)
        peer.send("start~finish~1")
        return [await peer.recv(), await peer.recv()]

    _, lines = converse(script, locations=("finish",), athletes=1)
    assert lines[0] == separator.join(
        (line_format, "1", "finish", "GUNTIME", gun_time, "0", "117F37", "0")
    )
    assert lines[1] == cfg_buffer["finish"][1].line(time_format, line_format)


# --------------------------------------------------------------------------- auth / refusal


def test_hmac_sha1_authentication() -> None:
    seed = "9f86d081884c7d659a2feaa0c55ad015"

    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        peer = await next_peer(peers)
        await peer.handshake(
            (*REFERENCE_SETTINGS, "authentication=hmac-sha1", f"authentication-seed={seed}")
        )
        command, user, secret = (await peer.recv()).split("~")
        assert (command, user) == ("authorize", "timer")
        assert verify("hmac-sha1", "s3cret", seed, secret)
        peer.send("ack~authorize")
        assert "newlocation" in await peer.recv()
        peer.send("start~finish~1")
        await peer.reads(2)
        await peer.assert_closed_by_client()

    stats, _ = converse(script, locations=("finish",), athletes=1, user="timer", password="s3cret")
    assert stats.refused is None and stats.reads_sent == 2


def test_rejected_authorization_is_a_refusal() -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        peer = await next_peer(peers)
        await peer.handshake(("authentication=seed-md5", "authentication-seed=abc"))
        assert (await peer.recv()).startswith("authorize~timer~")
        peer.send("err~authorize~bad credentials")
        await peer.assert_closed_by_client()

    stats, _ = converse(script, user="timer", password="wrong")
    assert stats.connections == 1  # a refusal is not retried
    assert stats.refused is not None and "bad credentials" in stats.refused


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (("Project88Hub~1.0~1", "time-format=bogus"), "time-format=bogus"),
        (("Project88Hub~1.0~1", "stream-mode=pull"), "stream-mode=pull"),
        (("Project88Hub~1.0~1", "tagevent-format=CT01_99"), "tagevent-format"),
        (("Project88Hub~1.0",), "invalid server header"),
        (("Project88Hub~1.0~many",), "invalid server header"),
    ],
)
def test_refusals_drop_the_connection_for_good(reply: tuple[str, ...], reason: str) -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        peer = await next_peer(peers)
        await peer.recv()
        peer.send(*reply)
        await peer.assert_closed_by_client()

    stats, _ = converse(script)
    assert stats.connections == 1
    assert stats.refused is not None and reason in stats.refused


# --------------------------------------------------------------------------- resilience


def test_reconnect_then_resume_from_requested_sequence() -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        first = await next_peer(peers)
        await first.handshake()
        await first.recv()  # newlocation
        first.send("getconnectionid")
        first_id = await first.recv()
        first.send("start~finish~1")
        assert [int(r[0]) for r in await first.reads(3)] == [1, 2, 3]
        first.close()  # mid-stream: the rest of the batch is lost in flight

        second = await next_peer(peers)
        await second.handshake()
        assert "newlocation" in await second.recv()
        second.send("getconnectionid", "ping")
        assert await second.recv() == first_id  # kept across reconnects, as SimpleClient does
        assert await second.recv() == "ack~ping"  # stopped until asked: no reads
        second.send("start~finish~4")
        assert [int(r[0]) for r in await second.reads(8)] == list(range(4, 12))
        client.stop()

    stats, _ = converse(script, locations=("finish",), athletes=10, linger=2.0)
    assert stats.connections == 2
    assert stats.starts_received == ["start~finish~1", "start~finish~4"]
    assert stats.reads_sent == 19 and stats.resent == 8
    assert stats.refused is None


def test_start_during_linger_resends_and_restarts_linger() -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> float:
        peer = await next_peer(peers)
        await peer.handshake()
        await peer.recv()
        peer.send("start~finish~1")
        await peer.reads(4)
        await asyncio.sleep(0.15)  # inside the 0.3 s linger
        peer.send("start~finish~2")
        assert [int(r[0]) for r in await peer.reads(3)] == [2, 3, 4]
        resent_at = time.monotonic()
        await peer.assert_closed_by_client()
        return time.monotonic() - resent_at

    stats, lingered = converse(script, locations=("finish",), athletes=3, linger=0.3)
    assert stats.resent == 3
    assert isinstance(lingered, float) and lingered >= 0.25


def test_malformed_lines_are_sent_and_never_keyed() -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> list[str]:
        peer = await next_peer(peers)
        await peer.handshake()
        await peer.recv()
        peer.send("start~finish~1")
        lines = []
        while sum(1 for line in lines if TAG_LINE.match(line)) < 11:
            lines.append(await peer.recv())
        return lines

    stats, lines = converse(script, locations=("finish",), athletes=10, malformed_every=2)
    assert isinstance(lines, list)
    keyed = [line for line in lines if TAG_LINE.match(line)]
    malformed = [line for line in lines if not TAG_LINE.match(line)]
    assert [int(line.split("~")[1]) for line in keyed] == list(range(1, 12))
    assert stats.malformed_sent == len(malformed) == 5
    assert any(len(m.split("~")) < 8 and "\0" not in m and len(m) < 100 for m in malformed)
    assert any("~" not in m for m in malformed)  # garbage
    assert any(m.startswith("CT01_33~abc~finish~") for m in malformed)
    assert any("\0" in m for m in malformed)
    assert any(len(m) >= 2048 for m in malformed)
    for m in malformed:  # not even a NUL-stripped seq could collide with a real one
        fields = m.replace("\0", "").split("~")
        assert len(fields) < 2 or not fields[1].isdigit()


def test_rate_releases_reads_over_time() -> None:
    stamps: list[float] = []

    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        peer = await next_peer(peers)
        await peer.handshake()
        await peer.recv()
        peer.send("start~finish~1")
        await peer.reads(4)

    converse(
        script,
        on_read_sent=lambda loc, seq, stamp: stamps.append(stamp),
        locations=("finish",),
        athletes=3,
        rate=20.0,
    )
    assert len(stamps) == 4 and stamps[-1] - stamps[0] >= 0.1


def test_forever_keeps_appending_laps() -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> list[tuple]:
        peer = await next_peer(peers)
        await peer.handshake()
        await peer.recv()
        peer.send("start~finish~1")
        reads = await peer.reads(9)
        client.stop()
        return reads

    _, reads = converse(script, locations=("finish",), athletes=2, rate=500.0, forever=True)
    assert isinstance(reads, list)
    assert [int(r[0]) for r in reads] == list(range(1, 10))
    assert [int(r[4]) for r in reads] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    times = [dt.datetime.fromisoformat(r[3]) for r in reads]
    assert times == sorted(times)


def test_max_runtime_ends_a_client_never_asked_to_start() -> None:
    async def script(peers: asyncio.Queue[Peer], client: SimulatedClient) -> None:
        peer = await next_peer(peers)
        await peer.handshake()

    started = time.monotonic()
    stats, _ = converse(script, max_runtime=0.5)
    assert time.monotonic() - started < 3
    assert stats.connections == 1 and stats.reads_sent == 0


def test_unreachable_server_without_reconnect() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nobody listens there
    stats = asyncio.run(SimulatedClient(make_cfg(port, reconnect=False)).run())
    assert stats.connections == 0 and stats.reads_sent == 0


def test_run_clients_each_owns_its_locations() -> None:
    async def main() -> list[list[tuple[str, ...]]]:
        server, peers, opened, port = await start_server()
        course = ("start", "finish")
        cfgs = [make_cfg(port, locations=(loc,), course=course, athletes=4) for loc in course]
        running = asyncio.create_task(run_clients(cfgs))
        try:
            first, second = await next_peer(peers), await next_peer(peers)
            served = await asyncio.gather(serve_everything(first, 5), serve_everything(second, 5))
            stats = await asyncio.wait_for(running, 10)
        finally:
            for peer in opened:
                peer.close()
            server.close()
        assert [s.reads_sent for s in stats] == [5, 5]
        return served

    served = asyncio.run(main())
    owners = sorted(",".join(sorted({r[1] for r in reads})) for reads in served)
    assert owners == ["finish", "start"]  # one location per client, never shared


# --------------------------------------------------------------------------- CLI


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_cli_deals_locations_round_robin(tmp_path) -> None:
    password_file = tmp_path / "pw"
    password_file.write_text("hunter2\nignored\n")
    args = parse(
        "--clients", "2", "--locations", "start,5k,10k,finish", "--user", "timer",
        "--password-file", str(password_file), "--event-date", "2025-10-11",
        "--start-clock", "07:30:00", "--no-guntimes", "--rate", "0",
    )  # fmt: skip
    cfgs = configs_from_args(args)
    assert [c.locations for c in cfgs] == [("start", "10k"), ("5k", "finish")]
    assert all(c.course == ("start", "5k", "10k", "finish") for c in cfgs)
    assert all(c.password == "hunter2" and c.user == "timer" for c in cfgs)
    assert cfgs[0].event_date == EVENT_DATE and cfgs[0].start_clock == dt.time(7, 30)
    assert not cfgs[0].guntimes and cfgs[0].rate == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--clients", "3", "--locations", "start,finish"), "exceeds"),
        (("--user", "timer"), "--password-file"),
        (("--forever", "--rate", "0"), "rate"),
    ],
)
def test_cli_rejects_bad_arguments(argv: tuple[str, ...], message: str, capsys) -> None:
    with pytest.raises(ValueError, match=message):
        configs_from_args(parse(*argv))
    assert run_from_args(parse(*argv)) == 2
    assert message in capsys.readouterr().err


def test_cli_reports_a_client_that_never_connected(capsys) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert run_from_args(parse("--port", str(port), "--no-reconnect")) == 1
    assert "connections=0" in capsys.readouterr().out


def test_a_refusing_listener_is_retried_ever_more_slowly() -> None:
    """Reconnects back off (doubling, with jitter, up to a cap) while nothing gets through."""
    attempts: list[float] = []

    async def refuse(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        attempts.append(time.monotonic())
        writer.write(b"err~connect~too many connections\r\n")
        await writer.drain()
        writer.close()

    async def main() -> SimStats:
        server = await asyncio.start_server(refuse, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        cfg = make_cfg(
            port, reconnect_delay=0.05, reconnect_max_delay=0.4, max_runtime=2.5, linger=30.0
        )
        async with server:
            return await SimulatedClient(cfg).run()

    stats = asyncio.run(main())
    assert stats.busy == len(attempts) and stats.refused is None
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert len(gaps) >= 5, gaps
    assert gaps[0] < 0.1 and gaps[3] >= 0.18, gaps  # 0.025-0.05 s at first, 0.2-0.4 s by then
    assert max(gaps) < 0.55, gaps  # the cap holds
