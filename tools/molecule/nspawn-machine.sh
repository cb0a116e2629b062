#!/usr/bin/env bash
# Project88Hub molecule test machine: a Debian 12 rootfs booted with
# systemd-nspawn (real systemd as PID 1, its own network namespace).
#
#   nspawn-machine.sh image                       build (once) the cached base rootfs, print its path
#   nspawn-machine.sh create NAME PUBKEY_FILE     fresh copy of the image, boot it, set up veth + NAT
#   nspawn-machine.sh destroy NAME                stop it, remove veth, NAT table, rootfs (idempotent)
#   nspawn-machine.sh status NAME                 "running PID" or "absent" (exit 0 / 1)
#   nspawn-machine.sh exec NAME CMD...            run CMD inside the running machine (nsenter)
#
# Used by ansible/molecule/default/{create,destroy}.yml; root only.
# Host packages: systemd-container debootstrap debian-archive-keyring nftables
#                zstd iproute2 openssh-client procps util-linux
#
# Settings (environment):
#   P88_MOLECULE_CACHE_DIR  cached base images      (/var/cache/project88-molecule)
#   P88_MOLECULE_STATE_DIR  running machines        (/var/lib/project88-molecule)
#   P88_MOLECULE_LOG_DIR    console logs kept after destroy (STATE_DIR/logs)
#   P88_MOLECULE_MIRROR     Debian mirror           (http://deb.debian.org/debian)
#   P88_MOLECULE_NET        first three octets of the /30 (10.88.0): host .1, machine .2
#   P88_MOLECULE_DNS        nameserver for the machine (default: first of the host's resolv.conf)
#   P88_MOLECULE_UNIFIED_CGROUP  1 (default): cgroup v2 in the machine; 0: as the host has it
#   P88_MOLECULE_NSPAWN_ARGS     extra systemd-nspawn arguments (words)
set -euo pipefail

CACHE_DIR=${P88_MOLECULE_CACHE_DIR:-/var/cache/project88-molecule}
STATE_DIR=${P88_MOLECULE_STATE_DIR:-/var/lib/project88-molecule}
LOG_DIR=${P88_MOLECULE_LOG_DIR:-$STATE_DIR/logs}
MIRROR=${P88_MOLECULE_MIRROR:-http://deb.debian.org/debian}
NET=${P88_MOLECULE_NET:-10.88.0}
HOST_IP=$NET.1
GUEST_IP=$NET.2
PREFIX=30
SUITE=bookworm

# What a freshly provisioned Debian 12 cloud server has, on top of debootstrap's
# default (required + important priority) set. Changing this list or
# IMAGE_REVISION makes a new cache key, hence a new image.
INCLUDE=(
    systemd systemd-sysv dbus libpam-systemd
    openssh-server sudo
    python3 python3-apt
    iproute2 iputils-ping netbase ca-certificates curl gnupg
    locales less procps
)
IMAGE_REVISION=1 # bump when build_image's customisation changes

log() { printf '%s nspawn-machine: %s\n' "$(date +%T)" "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

[[ $(id -u) == 0 ]] || die "must run as root"

cache_key() {
    printf '%s\n' "$SUITE" "$MIRROR" "$IMAGE_REVISION" "${INCLUDE[@]}" | sha256sum | cut -c1-12
}

image_path() { echo "$CACHE_DIR/$SUITE-base-$(cache_key).tar.zst"; }

# A failed debootstrap may leave /proc, /sys mounted in the target.
cleanup_build() {
    local m
    findmnt -rno TARGET | grep "^$1/" | sort -r | while read -r m; do
        umount -l "$m" || true
    done
    rm -rf --one-file-system "$1"
}

# Build the base image once; concurrent callers wait on the lock.
build_image() {
    local image tmp
    image=$(image_path)
    mkdir -p "$CACHE_DIR"
    exec 9>"$CACHE_DIR/.build.lock"
    flock 9
    if [[ -s $image ]]; then
        echo "$image"
        return
    fi
    tmp=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
    # shellcheck disable=SC2064
    trap "cleanup_build '$tmp'" EXIT
    log "debootstrap $SUITE from $MIRROR into $tmp/rootfs (first run only)"
    local include
    include=$(
        IFS=,
        echo "${INCLUDE[*]}"
    )
    debootstrap --include="$include" "$SUITE" "$tmp/rootfs" "$MIRROR" >"$tmp/debootstrap.log" 2>&1 || {
        tail -n 40 "$tmp/debootstrap.log" >&2
        die "debootstrap failed"
    }
    local r=$tmp/rootfs
    # The same sources as a real Debian 12 server (updates + security).
    rm -f "$r/etc/apt/sources.list"
    cat >"$r/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    log "applying updates in the image"
    chroot "$r" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C sh -ec '
        apt-get update -q
        apt-get -y -q -o Dpkg::Options::=--force-confold dist-upgrade
        apt-get clean
        rm -rf /var/lib/apt/lists/*
    ' >>"$tmp/debootstrap.log" 2>&1 || {
        tail -n 40 "$tmp/debootstrap.log" >&2
        die "apt upgrade in the image failed"
    }
    # Locales: C.UTF-8 is the default, en_US.UTF-8 exists (ssh forwards LANG).
    sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' "$r/etc/locale.gen"
    chroot "$r" locale-gen >>"$tmp/debootstrap.log" 2>&1
    echo 'LANG=C.UTF-8' >"$r/etc/default/locale"
    # The cloud image's login user: passwordless sudo, key only.
    chroot "$r" useradd --create-home --shell /bin/bash --groups sudo debian
    echo 'debian ALL=(ALL) NOPASSWD:ALL' >"$r/etc/sudoers.d/90-cloud-init-users"
    chmod 0440 "$r/etc/sudoers.d/90-cloud-init-users"
    # Per-machine identity is made by create: host keys, machine-id.
    rm -f "$r"/etc/ssh/ssh_host_*
    : >"$r/etc/machine-id"
    rm -f "$r/var/lib/dbus/machine-id"
    # Network: systemd-networkd on host0 (static, set up by create), static resolv.conf.
    chroot "$r" systemctl enable systemd-networkd.service >/dev/null 2>&1
    chroot "$r" systemctl disable networking.service >/dev/null 2>&1 || true
    # No getty on the console nspawn gives (read-only); no fsck, no swap.
    chroot "$r" systemctl mask console-getty.service getty@tty1.service >/dev/null 2>&1 || true
    log "packing $image"
    tar --numeric-owner --xattrs --xattrs-include='*' --acls -C "$r" -cf - . |
        zstd -q -T0 -3 -o "$tmp/image.tar.zst"
    mv "$tmp/image.tar.zst" "$image"
    cp "$tmp/debootstrap.log" "${image%.tar.zst}.log"
    cleanup_build "$tmp"
    trap - EXIT
    # Keep only the current image.
    find "$CACHE_DIR" -maxdepth 1 -name "$SUITE-base-*.tar.zst" ! -path "$image" -delete
    echo "$image"
}

# The host's NAT for the machine lives in a table of its own.
nft_table() { echo "project88_molecule_${1//-/_}"; }

machine_dir() { echo "$STATE_DIR/$1"; }

# ve-NAME, cut to 15 characters (IFNAMSIZ - 1) as systemd-nspawn 252 does for
# names that fit; longer names get a hashed name, so keep NAME <= 12 characters.
host_iface() { echo "ve-$1" | cut -c1-15; }

nspawn_pid() {
    local pidfile pid
    pidfile="$(machine_dir "$1")/nspawn.pid"
    [[ -s $pidfile ]] || return 1
    pid=$(<"$pidfile")
    [[ -r /proc/$pid/comm && $(</proc/"$pid"/comm) == systemd-nspawn ]] || return 1
    echo "$pid"
}

# PID of the machine's init (systemd), the child of systemd-nspawn.
init_pid() {
    local pid
    pid=$(nspawn_pid "$1") || return 1
    pgrep -P "$pid" | head -n1
}

cmd_destroy() {
    local name=$1 dir pid iface p d
    dir=$(machine_dir "$name")
    if pid=$(nspawn_pid "$name"); then
        log "stopping $name (systemd-nspawn pid $pid)"
        # SIGTERM makes nspawn ask the machine's systemd for a clean poweroff.
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            [[ -d /proc/$pid ]] || break
            sleep 0.5
        done
        if [[ -d /proc/$pid ]]; then
            log "$name did not power off in 30 s, killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    # Leftovers of a crashed run (nspawn killed, its machine still up): every
    # process left in the machine's cgroups, by PID.
    local cgdirs=() left
    for d in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
        [[ -d $d/project88-molecule/$name ]] && cgdirs+=("$d/project88-molecule/$name")
    done
    for _ in $(seq 1 20); do
        ((${#cgdirs[@]})) || break
        left=$(find "${cgdirs[@]}" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u | tr '\n' ' ')
        [[ -n $left ]] || break
        log "killing leftover processes of $name: $left"
        for p in $left; do
            kill -KILL "$p" 2>/dev/null || true
        done
        sleep 0.5
    done
    iface=$(host_iface "$name")
    if ip link show "$iface" >/dev/null 2>&1; then
        ip link delete "$iface" || true
    fi
    nft delete table ip "$(nft_table "$name")" 2>/dev/null || true
    # Keep the console and the journal of the last boot (for failed runs).
    if [[ -s $dir/console.log ]]; then
        mkdir -p "$LOG_DIR"
        cp "$dir/console.log" "$LOG_DIR/$name.console.log"
        if [[ -d $dir/rootfs/var/log/journal ]]; then
            journalctl --directory="$dir/rootfs/var/log/journal" --no-pager -o short-precise \
                >"$LOG_DIR/$name.journal.log" 2>&1 || true
        fi
    fi
    if [[ -d $dir ]]; then
        # Nothing is mounted here (nspawn mounts live in the machine's own
        # mount namespace), but never follow into a mount if one is left.
        if findmnt -rno TARGET | grep -q "^$dir/"; then
            die "something is still mounted under $dir"
        fi
        rm -rf --one-file-system "$dir"
    fi
    # IPv4 forwarding back as it was, once the last machine is gone.
    if [[ -s $STATE_DIR/ip_forward.orig ]] &&
        ! find "$STATE_DIR" -mindepth 2 -maxdepth 2 -name nspawn.pid | grep -q .; then
        sysctl -q -w "net.ipv4.ip_forward=$(<"$STATE_DIR/ip_forward.orig")" || true
        rm -f "$STATE_DIR/ip_forward.orig"
    fi
    # The cgroup subtree (nspawn's payload/supervisor and the machine's own).
    for d in "${cgdirs[@]}"; do
        find "$d" -depth -type d -exec rmdir {} + 2>/dev/null ||
            log "cgroup $d not removed (processes left?)"
    done
    log "$name destroyed"
}

host_nameserver() {
    if [[ -n ${P88_MOLECULE_DNS:-} ]]; then
        echo "$P88_MOLECULE_DNS"
        return
    fi
    awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf
}

# Give the machine its own cgroup subtree (the host may not run systemd, and
# --keep-unit keeps nspawn in the cgroup it starts in).
enter_cgroup() {
    local name=$1 h d
    if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
        d=/sys/fs/cgroup/project88-molecule/$name
        { mkdir -p "$d" && echo $BASHPID >"$d/cgroup.procs"; } || log "could not use cgroup $d"
        return
    fi
    for h in systemd unified; do
        [[ -d /sys/fs/cgroup/$h ]] || continue
        d=/sys/fs/cgroup/$h/project88-molecule/$name
        { mkdir -p "$d" && echo $BASHPID >"$d/cgroup.procs"; } || log "could not use cgroup $d"
    done
}

cmd_create() {
    local name=$1 pubkey=$2 image dir r iface ns pid
    [[ ${#name} -le 12 ]] || die "machine name '$name' longer than 12 characters"
    [[ -s $pubkey ]] || die "no public key at $pubkey"
    cmd_destroy "$name" # a stale machine from a crashed run
    image=$(build_image)
    dir=$(machine_dir "$name")
    r=$dir/rootfs
    mkdir -p "$r"
    log "unpacking $image"
    zstd -q -d -c "$image" | tar --numeric-owner --xattrs --xattrs-include='*' --acls -C "$r" -xf -

    # Like a server booted from an image built some time ago: no package
    # lists yet, and old enough for apt's cache_valid_time to refresh them.
    touch -d '2000-01-01' "$r/var/lib/apt/lists"

    # Identity.
    echo "$name" >"$r/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$name" >"$r/etc/hosts"
    tr -d '-' </proc/sys/kernel/random/uuid >"$r/etc/machine-id"
    ssh-keygen -q -A -f "$r" >/dev/null 2>&1
    local home
    for home in root home/debian; do
        install -d -m 0700 "$r/$home/.ssh"
        install -m 0600 "$pubkey" "$r/$home/.ssh/authorized_keys"
    done
    chroot "$r" chown -R debian:debian /home/debian/.ssh

    # Network, machine side: static address on host0 (overrides the packaged
    # 80-container-host0.network, which wants DHCP from a host networkd).
    ns=$(host_nameserver)
    [[ -n $ns ]] || die "no nameserver in the host's /etc/resolv.conf (set P88_MOLECULE_DNS)"
    cat >"$r/etc/systemd/network/80-container-host0.network" <<EOF
[Match]
Virtualization=container
Name=host0

[Network]
Address=$GUEST_IP/$PREFIX
Gateway=$HOST_IP
DNS=$ns
LinkLocalAddressing=no
IPv6AcceptRA=no
EOF
    rm -f "$r/etc/resolv.conf"
    echo "nameserver $ns" >"$r/etc/resolv.conf"

    # Trust what the host trusts: a host behind a TLS-intercepting proxy has
    # its CA in /usr/local/share/ca-certificates (none on an ordinary host).
    if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$r/usr/local/share/ca-certificates/"
        chroot "$r" update-ca-certificates >/dev/null 2>&1
        # pip in a virtualenv uses its own CA bundle unless told.
        printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$r/etc/pip.conf"
    fi

    # Network, host side: NAT out of the /30 in a table of our own.
    if [[ $(sysctl -n net.ipv4.ip_forward) != 1 ]]; then
        [[ -s $STATE_DIR/ip_forward.orig ]] || sysctl -n net.ipv4.ip_forward >"$STATE_DIR/ip_forward.orig"
        sysctl -q -w net.ipv4.ip_forward=1
    fi
    iface=$(host_iface "$name")
    nft -f - <<EOF
table ip $(nft_table "$name") {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        ip saddr $NET.0/$PREFIX oifname != "$iface" masquerade
    }
    chain forward {
        type filter hook forward priority filter - 5; policy accept;
        iifname "$iface" accept
        oifname "$iface" ct state established,related accept
    }
}
EOF

    # Boot. setsid (no fork: a background job is no group leader) detaches
    # nspawn from the caller's session; $! is nspawn's own PID.
    log "booting $name"
    #  - cgroup v2 inside (as on a real Debian 12), also on a host that
    #    mounts the hybrid v1+v2 layout;
    #  - the bpf() system call allowed: systemd needs it for IPAddressDeny=,
    #    IPAddressAllow= and IPAccounting= (nspawn's seccomp filter blocks it,
    #    and systemd then runs such units without any IP filter).
    (
        enter_cgroup "$name"
        # shellcheck disable=SC2086 # extra arguments are words on purpose
        SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=${P88_MOLECULE_UNIFIED_CGROUP:-1} \
            exec setsid systemd-nspawn --quiet --register=no --keep-unit --boot \
            --directory="$r" --machine="$name" --network-veth \
            --system-call-filter=bpf \
            --resolv-conf=off --timezone=off --link-journal=no --console=read-only \
            ${P88_MOLECULE_NSPAWN_ARGS:-}
    ) </dev/null >"$dir/console.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/nspawn.pid"

    for _ in $(seq 1 100); do
        ip link show "$iface" >/dev/null 2>&1 && break
        [[ -d /proc/$pid ]] || {
            tail -n 30 "$dir/console.log" >&2
            die "systemd-nspawn exited"
        }
        sleep 0.2
    done
    ip link show "$iface" >/dev/null 2>&1 || die "no $iface after 20 s"
    ip address replace "$HOST_IP/$PREFIX" dev "$iface"
    ip link set "$iface" up
    log "$name booting: nspawn pid $pid, $iface $HOST_IP <-> $GUEST_IP"
}

cmd_status() {
    local pid
    if pid=$(nspawn_pid "$1"); then
        echo "running $pid"
    else
        echo absent
        return 1
    fi
}

cmd_exec() {
    local name=$1 pid
    shift
    pid=$(init_pid "$name") || die "$name is not running"
    exec nsenter --target "$pid" --all --setuid 0 --setgid 0 -- /usr/bin/env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

case ${1:-} in
image) build_image ;;
create)
    [[ $# == 3 ]] || die "usage: $0 create NAME PUBKEY_FILE"
    cmd_create "$2" "$3"
    ;;
destroy)
    [[ $# == 2 ]] || die "usage: $0 destroy NAME"
    cmd_destroy "$2"
    ;;
status)
    [[ $# == 2 ]] || die "usage: $0 status NAME"
    cmd_status "$2"
    ;;
exec)
    [[ $# -ge 3 ]] || die "usage: $0 exec NAME CMD..."
    name=$2
    shift 2
    cmd_exec "$name" "$@"
    ;;
*) die "usage: $0 image|create NAME PUBKEY_FILE|destroy NAME|status NAME|exec NAME CMD..." ;;
esac
