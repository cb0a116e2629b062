"""Which connection pool a compiled question runs on: admin callers alone skip RLS."""

import pytest

from daemons.nlq_http.compiler import Compiled, Tenant
from daemons.nlq_http.engine import Engine
from daemons.nlq_http.settings import NlqSettings

READER, RAW, ADMIN = object(), object(), object()


def compiled(database):
    return Compiled("SELECT 1", {}, database, 10, "", ())


def engine(admin_pool):
    settings = NlqSettings.from_env({"P88_TIMEZONE": "UTC"})
    return Engine(settings, READER, RAW, None, admin_pool=admin_pool)


@pytest.mark.parametrize(
    ("tenant", "database", "expected"),
    [
        (Tenant(None, admin=True), "production", ADMIN),
        (Tenant(7, admin=True), "production", ADMIN),  # an admin tied to a partner: still all
        (Tenant(7), "production", READER),
        (Tenant(7), "raw", RAW),
        (Tenant(None, admin=True), "raw", RAW),
    ],
)
def test_pool_by_caller(tenant, database, expected):
    assert engine(ADMIN)._pool_for(compiled(database), tenant) is expected


def test_without_an_admin_pool_admins_share_the_reader_pool():
    assert engine(None)._pool_for(compiled("production"), Tenant(None, admin=True)) is READER
