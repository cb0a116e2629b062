"""The browser tests' shared fixtures: one headless Chromium a module, a fresh context a test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS, RESOLVE_TEST_NAMES


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # No skip: tools/bootstrap.sh --test installs Chromium; its absence is a failure.
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run tools/bootstrap.sh --test"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, RESOLVE_TEST_NAMES]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test, closed (streams and all) even when it fails."""
    # The private Apache's certificate is self-signed.
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, ignore_https_errors=True)
    yield ctx
    ctx.close()
