"""A private Debian apache2 running the shipped vhost templates (``apache/*.j2``).

The templates are rendered the way the Ansible role renders them (plain Jinja2,
``trim_blocks``, undefined variables are errors, Ansible's ``bool`` filter), with
the names ``*.p88.test`` and free ports instead of 80/443. What the harness adds
is only what the distribution's own configuration provides in production: the
``LoadModule`` lines, ``Listen``, ``User``, the ``combined`` log format, MIME
types - plus a deliberately unhelpful compression rule (event streams and JSON
gzipped), so a vhost that fails to exempt its stream is caught.

Clients: ``Apache.session()`` is a ``requests`` session that connects every
``*.p88.test`` URL to 127.0.0.1 while TLS still names the host (SNI, which is
how Apache picks the vhost, and the certificate check) - curl's ``--resolve``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jinja2
import requests
from requests.adapters import HTTPAdapter

from project88.pgcluster import free_port
from tests.conftest import REPO, port_open, wait_for

APACHE = "/usr/sbin/apache2"
APACHE_MODULES = "/usr/lib/apache2/modules"
TEMPLATES = REPO / "apache"
NAMES = {"main": "main.p88.test", "display": "display.p88.test", "ai": "ai.p88.test"}
# What the role enables (apache/README.md) and what both distributions load anyway.
MODULES = [
    "mpm_event", "authz_core", "alias", "dir", "mime", "env", "filter", "deflate",
    "headers", "rewrite", "ssl", "socache_shmcb", "proxy", "proxy_http", "proxy_wstunnel",
]  # fmt: skip
COMBINED = r'"%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\""'  # Debian's
# Global: server-wide files first (as the role installs them under conf.d /
# conf-enabled), then the vhosts; main first, so it is the default for TLS
# clients that name no host.
GLOBAL_TEMPLATES = ["mpm.conf.j2", "tls.conf.j2", "global.conf.j2"]
# The MPM is sized from the host's memory (apache/_sizing.j2). The tests size it
# for a small host, so that several instances fit beside each other; the bench
# (bench/apache_streams.py) passes the real figure.
TEST_MEMORY_MB = 1024
VHOST_TEMPLATES = ["redirect.conf.j2", "main.conf.j2", "display.conf.j2", "ai.conf.j2"]


def ansible_bool(value: object) -> bool:
    """Ansible's ``bool`` filter: yes/on/true/1 (any case) are true."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("yes", "on", "true", "1", "y")


def render(template: str, variables: dict) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        trim_blocks=True,  # as ansible.builtin.template
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Apache configuration, not HTML
    )
    env.filters["bool"] = ansible_bool
    return env.get_template(template).render(**variables)


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed RSA certificate for the three names (RSA: the cipher tests need it)."""
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    names = ",".join(f"DNS:{n}" for n in NAMES.values())
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={NAMES['main']}",
         "-addext", f"subjectAltName={names}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class ResolveToLoopback(HTTPAdapter):
    """Connect every host to 127.0.0.1, keeping the URL's name for SNI, Host and the cert check."""

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        name = host_params["host"]
        if host_params["scheme"] == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": name, "assert_hostname": name}
        return self.poolmanager.connection_from_host(
            **{**host_params, "host": "127.0.0.1"}, pool_kwargs=pool_kwargs
        )

    def add_headers(self, request, **kwargs):
        request.headers.setdefault("Host", requests.utils.urlparse(request.url).netloc)


class Apache:
    """apache2 -DFOREGROUND with the rendered templates, in a directory of its own."""

    def __init__(self, **variables: object) -> None:
        # World-readable: as root, Apache's children run as www-data.
        self.root = Path(tempfile.mkdtemp(prefix="p88-apache-"))
        self.root.chmod(0o755)
        for sub in ("conf", "logs", "tls"):
            (self.root / sub).mkdir(mode=0o755)
        self.cert, self.key = make_certificate(self.root / "tls")
        self.docroot = self.root / "site"
        shutil.copytree(TEMPLATES / "site", self.docroot)
        self.webroot = self.root / "acme"
        (self.webroot / ".well-known" / "acme-challenge").mkdir(parents=True)
        for path in [
            self.docroot,
            self.webroot,
            *self.docroot.rglob("*"),
            *self.webroot.rglob("*"),
        ]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        self.http_port = free_port()
        self.https_port = free_port()
        self.variables = self.default_variables() | variables
        # Lines in place of the rendered mpm.conf (bench/apache_streams.py --stock).
        self.mpm_override: str | None = None
        self.proc: subprocess.Popen | None = None

    def default_variables(self) -> dict:
        """The role's variables (apache/README.md), pointed at this instance."""
        return {
            "apache_main_server_name": NAMES["main"],
            "apache_display_server_name": NAMES["display"],
            "apache_ai_server_name": NAMES["ai"],
            "apache_display_backend_port": 5000,
            "apache_nlq_backend_port": 8000,
            "apache_open_webui_backend_port": 8501,
            "apache_postgrest_backend_port": 3000,
            "apache_open_webui_enabled": True,
            "apache_postgrest_enabled": True,
            "apache_main_docroot": str(self.docroot),
            "apache_acme_webroot": str(self.webroot),
            "apache_tls_certificate_file": str(self.cert),
            "apache_tls_certificate_key_file": str(self.key),
            "apache_log_dir": str(self.root / "logs"),
            "apache_ssl_session_cache": str(self.root / "ssl_scache"),
            "apache_hsts_max_age": 63072000,
            "apache_http_port": self.http_port,
            "apache_https_port": self.https_port,
            "apache_memory_mb": TEST_MEMORY_MB,
        }

    # -- configuration -------------------------------------------------------------------
    def server_config(self, includes: list[str]) -> str:
        """What apache2.conf, ports.conf and mods-enabled/ say on a Debian host."""
        lines = [f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so" for m in MODULES]
        if os.geteuid() == 0:
            lines += ["User www-data", "Group www-data"]
        root = self.root
        lines += [
            f'ServerRoot "{root}"',
            "ServerName localhost",
            f"Listen 127.0.0.1:{self.http_port}",
            f"Listen 127.0.0.1:{self.https_port} https",
            f'DefaultRuntimeDir "{root}"',
            f'PidFile "{root}/apache2.pid"',
            f'ErrorLog "{root}/logs/error.log"',
            "LogLevel warn",
            f"LogFormat {COMBINED} combined",
            "TypesConfig /etc/mime.types",
            # Harsher than Debian's deflate.conf: the stream must be exempted by the vhost.
            "AddOutputFilterByType DEFLATE text/html text/plain application/json text/event-stream",
            # No DocumentRoot of the server's own: nothing is served that a vhost did not say.
            f'DocumentRoot "{root}/empty"',
            *[f'Include "{root}/conf/{name}"' for name in includes],
        ]
        return "\n".join(lines) + "\n"

    def write_config(self, vhosts: list[str] | None = None) -> Path:
        includes = []
        for template in GLOBAL_TEMPLATES + (VHOST_TEMPLATES if vhosts is None else vhosts):
            name = template.removesuffix(".j2")
            text = render(template, self.variables)
            if name == "mpm.conf" and self.mpm_override is not None:
                text = self.mpm_override
            (self.root / "conf" / name).write_text(text)
            includes.append(name)
        conf = self.root / "apache2.conf"
        conf.write_text(self.server_config(includes))
        (self.root / "empty").mkdir(exist_ok=True)
        return conf

    def configtest(self, vhosts: list[str] | None = None) -> subprocess.CompletedProcess:
        conf = self.write_config(vhosts)
        return subprocess.run(
            [APACHE, "-f", str(conf), "-t"], capture_output=True, text=True, check=False
        )

    # -- process -------------------------------------------------------------------------
    def start(self, vhosts: list[str] | None = None) -> Apache:
        checked = self.configtest(vhosts)
        assert checked.returncode == 0, checked.stderr
        raise_nofile()  # inherited by apache2
        with open(self.root / "logs" / "stderr.log", "w") as stderr:
            self.proc = subprocess.Popen(
                [APACHE, "-f", str(self.root / "apache2.conf"), "-DFOREGROUND"],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own process group: stopped as one
            )
        wait_for(
            lambda: port_open(self.https_port) or self.proc.poll() is not None,
            10,
            what="apache2",
        )
        assert self.proc.poll() is None, f"apache2 exited:\n{self.log()}"
        return self

    def log(self) -> str:
        return "\n".join(
            f"==> {path.name}\n{path.read_text()}"
            for path in sorted((self.root / "logs").iterdir())
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            pgid = self.proc.pid  # its own session: the group's id is its pid
            self.proc.send_signal(signal.SIGTERM)  # apache2's "stop"
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(pgid, signal.SIGKILL)
                self.proc.wait(10)
            # The children (www-data) share the group: none may outlive the parent.
            wait_for(lambda: not group_alive(pgid), 5, what="apache2 children to exit")
        shutil.rmtree(self.root, ignore_errors=True)

    # -- clients -------------------------------------------------------------------------
    def url(self, vhost: str, path: str = "/", scheme: str = "https") -> str:
        port = self.https_port if scheme == "https" else self.http_port
        return f"{scheme}://{NAMES[vhost]}:{port}{path}"

    def session(self) -> requests.Session:
        session = requests.Session()
        # Not the environment's CA bundle (REQUESTS_CA_BUNDLE would win over
        # .verify) nor its proxies: this server, this certificate.
        session.trust_env = False
        session.verify = str(self.cert)
        adapter = ResolveToLoopback()
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def tls_socket(
        self,
        vhost: str,
        context: ssl.SSLContext | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLSocket:
        """A TLS connection to the vhost (SNI = its name); raises ssl.SSLError if refused."""
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=5)
        try:
            return (context or self.tls_context()).wrap_socket(
                raw, server_hostname=NAMES[vhost], session=session
            )
        except BaseException:
            raw.close()
            raise


def raise_nofile() -> None:
    """Open-files soft limit up to the hard one (this process's, so apache2's), as the role's
    systemd drop-in raises Apache's: every held stream is two descriptors in one process."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


# --------------------------------------------------------------------------- stand-ins

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC11B65"


def websocket_accept(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()


def read_frame(stream) -> bytes:
    """One small (< 126 bytes) WebSocket frame's payload, unmasked."""
    head = stream.read(2)
    length = head[1] & 0x7F
    assert length < 126, "stand-in frames are small"
    mask = stream.read(4) if head[1] & 0x80 else b"\0\0\0\0"
    return bytes(b ^ mask[i % 4] for i, b in enumerate(stream.read(length)))


def text_frame(payload: bytes, mask: bytes | None = None) -> bytes:
    """A final text frame; clients must mask theirs, servers must not."""
    if mask is None:
        return bytes([0x81, len(payload)]) + payload
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked


class StandInHandler(BaseHTTPRequestHandler):
    """Answers any GET with what it was asked (JSON); a WebSocket upgrade with 101 + one echo."""

    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: without this, Nagle's algorithm and the
    # peer's delayed ACK hold the body back 40 ms now and then (a stand-in's
    # delay, not Apache's, in bench/apache_streams.py's figures).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.server.seen.append({"path": self.path, "headers": dict(self.headers.items())})
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.upgrade()
            return
        body = json.dumps({"backend": self.server.label, "path": self.path,
                           "headers": dict(self.headers.items())}).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Location", self.path)  # root-relative, as PostgREST's
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def upgrade(self) -> None:
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header(
            "Sec-WebSocket-Accept", websocket_accept(self.headers["Sec-WebSocket-Key"])
        )
        self.end_headers()
        self.wfile.flush()
        self.wfile.write(text_frame(b"echo: " + read_frame(self.rfile)))
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args) -> None:  # quiet: the tests look at .seen
        pass


class StandIn:
    """A backend that cannot run here (Open WebUI, PostgREST), played by a small HTTP server."""

    def __init__(self, label: str) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), StandInHandler)
        self.server.daemon_threads = True
        self.server.label = label
        self.server.seen = []
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def seen(self) -> list[dict]:
        return self.server.seen

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
