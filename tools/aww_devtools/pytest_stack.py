"""pytest plugin for tests against the whole platform as real processes.

Load with `-p aww_devtools.pytest_stack`. The `stack` fixture starts fakes, services and gateway
on a private vhost, private databases and a free port, once per test session; `isolated_stack`
starts another one for tests that stop or kill parts of it. `browser`/`page` drive Debian's
Chromium through Playwright.
"""

from __future__ import annotations

import httpx
import pytest

from aww_devtools.stack import Stack, temporary_stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    with temporary_stack(tmp_path_factory.mktemp("stacks"), RPC_TIMEOUT_SECONDS="10") as started:
        yield started


@pytest.fixture(scope="module")
def isolated_stack(tmp_path_factory):
    """A stack of its own, for tests that stop, freeze or kill parts of it."""
    with temporary_stack(
        tmp_path_factory.mktemp("stacks"), RPC_TIMEOUT_SECONDS="2", READINESS_TIMEOUT_SECONDS="1"
    ) as started:
        yield started


@pytest.fixture
def http(stack):
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(base_url=stack.base_url, locale="nl-BE")
    page = context.new_page()
    yield page
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for name in ("stack", "isolated_stack"):
            started = item.funcargs.get(name)
            if isinstance(started, Stack):
                report.sections.append((f"{name} logs", started.tail_logs(lines=15)))
