#!/usr/bin/python3
"""Which systemd sandboxing directives are really in force for this process.

Run it as the ExecStart= of a unit carrying the hardening under test (inside
the molecule machine, for instance) and read its journal:

    systemd-run --wait --pipe -p DynamicUser=yes -p IPAddressDeny=any \\
        -p IPAddressAllow=localhost ... /usr/bin/python3 sandbox-probe.py 10.88.0.1

systemd starts a unit even when the kernel or the container cannot enforce a
directive (IPAddressDeny= without cgroup BPF, DevicePolicy= without a device
controller): this shows what holds. Each line: the check, what a hardened
unit should get, what it got. The standard library only (the machine's
python3). The optional argument is a non-local IPv4 address to try to reach.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import socket
import sys
from collections.abc import Callable

LIBC = ctypes.CDLL(None, use_errno=True)
PROBE_FILE = "/tmp/.sandbox-probe"  # noqa: S108 (the unit's private /tmp is what is probed)


def _check(rc: int) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _outcome(action: Callable[[], object]) -> str:
    try:
        result = action()
    except TimeoutError:
        return "timeout (dropped)"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno else repr(exc)
    return "ok" if result is None else f"ok {result}"


def _tcp(address: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(3)
        sock.connect((address, port))


def _udp(address: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"x", (address, port))


def _wx_mapping() -> None:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC).close()


def _status(key: str) -> str:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
    return "?"


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def main() -> None:
    remote = sys.argv[1] if len(sys.argv) > 1 else "192.0.2.1"
    with open("/proc/self/uid_map") as uid_map:
        mapping = " ".join(uid_map.read().split())
    print(f"uid={os.getuid()} uid_map=[{mapping}] NoNewPrivs={_status('NoNewPrivs')}")
    print(f"Seccomp={_status('Seccomp')} CapEff={_status('CapEff')} CapBnd={_status('CapBnd')}")
    print(f"/dev: {' '.join(sorted(os.listdir('/dev')))}")
    checks = [
        ("IPAddressDeny: TCP to " + remote, "EPERM or timeout", lambda: _tcp(remote, 9)),
        ("IPAddressDeny: UDP to " + remote, "EPERM", lambda: _udp(remote, 9)),
        ("IPAddressAllow=localhost: TCP 127.0.0.1:9", "ECONNREFUSED", lambda: _tcp("127.0.0.1", 9)),
        (
            "RestrictAddressFamilies: AF_NETLINK",
            "EAFNOSUPPORT",
            lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0).close(),
        ),
        ("ProtectSystem=strict: write /etc", "EROFS", lambda: open("/etc/.probe", "w").close()),
        ("ProtectHome: list /home", "EACCES or empty", lambda: os.listdir("/home")),
        ("PrivateTmp: write /tmp", "ok", lambda: open(PROBE_FILE, "w").close()),
        ("ProtectKernelLogs: /dev/kmsg", "ENOENT or EACCES", lambda: open("/dev/kmsg").close()),
        ("ProtectProc=invisible: /proc/1/status", "ENOENT", lambda: open("/proc/1/status").close()),
        ("ProtectHostname: sethostname", "EPERM", lambda: _check(LIBC.sethostname(b"x", 1))),
        ("RestrictNamespaces: unshare(NEWNET)", "EPERM", lambda: _check(LIBC.unshare(0x40000000))),
        ("RestrictNamespaces: unshare(NEWUSER)", "EPERM", lambda: _check(LIBC.unshare(0x10000000))),
        ("MemoryDenyWriteExecute: W+X mmap", "EPERM", _wx_mapping),
        (
            "ProtectClock: clock_settime",
            "EPERM",
            lambda: _check(LIBC.clock_settime(0, ctypes.byref(_Timespec(0, 0)))),
        ),
        ("SystemCallFilter=~@privileged: swapon", "EPERM", lambda: _check(LIBC.swapon(b"/x", 0))),
        (
            "SystemCallFilter=@system-service: mount",
            "EPERM",
            lambda: _check(LIBC.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
        ),
        (
            "RestrictRealtime: SCHED_FIFO",
            "EPERM",
            lambda: os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1)),
        ),
        ("RestrictSUIDSGID: chmod u+s", "EPERM", lambda: os.chmod(PROBE_FILE, 0o4755)),  # noqa: S103
    ]
    for name, wanted, action in checks:
        print(f"{name}: want {wanted}, got {_outcome(action)}")
    print(f"UMask: {oct(os.umask(0))}")


if __name__ == "__main__":
    main()
