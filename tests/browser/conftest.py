"""Browser tests: the real app served on a free port, driven by Debian's headless Chromium.

Every test in this folder is marked `browser` and put in the xdist group "browser", so with
`pytest -n 2 --dist loadgroup` they share one worker (one Chromium, one screenshot folder).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, WebError, expect
from werkzeug.serving import make_server

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
]
LOCALE = "en-US"
BLOCKING_IMPACTS = ("serious", "critical")

expect.set_options(timeout=10_000)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark this folder's tests before xdist reads the group (hence tryfirst)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


# --- the app on a real socket ------------------------------------------------------------

@pytest.fixture
def live_app(make_app) -> Flask:
    """The app the live server runs, on this test's database."""
    return make_app(RATELIMIT_ENABLED=False)


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[str]:
    """Serves `live_app` on 127.0.0.1 in a daemon thread; yields the base URL (no slash)."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def translate(live_app: Flask) -> Callable[..., str]:
    """`translate("Share an idea", "zh")`: the string as the compiled catalog says it."""
    from flask_babel import force_locale, gettext

    def do_translate(message: str, locale: str = "zh", **variables) -> str:
        with live_app.app_context(), force_locale(locale):
            return gettext(message, **variables)

    return do_translate


# --- Chromium -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class BrowserErrors:
    """Console errors (CSP violations are reported there too) and uncaught page errors."""
    messages: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        context.on("console", self._on_console)
        context.on("weberror", self._on_web_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.page.url if message.page else "?"
            self.messages.append(f"console error on {where}: {message.text}")

    def _on_web_error(self, error: WebError) -> None:
        where = error.page.url if error.page else "?"
        self.messages.append(f"uncaught error on {where}: {error.error}")

    def assert_none(self) -> None:
        if self.messages:
            raise AssertionError("The browser reported errors:\n  " + "\n  ".join(self.messages))


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def new_page(browser: Browser, browser_errors: BrowserErrors) -> Iterator[Callable[..., Page]]:
    """`new_page(js_enabled=True)`: a page in a fresh context (own cookies), locale en-US,
    whose console errors land in `browser_errors`. Contexts close after the test."""
    contexts: list[BrowserContext] = []

    def open_page(js_enabled: bool = True, **context_options) -> Page:
        context = browser.new_context(java_script_enabled=js_enabled, locale=LOCALE,
                                      **context_options)
        context.set_default_timeout(15_000)
        browser_errors.watch(context)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page_js(new_page) -> Page:
    return new_page(js_enabled=True)


@pytest.fixture
def page_nojs(new_page) -> Page:
    return new_page(js_enabled=False)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js_enabled(request) -> bool:
    """Parametrises a test over JavaScript on and off."""
    return request.param


@pytest.fixture
def page(request, js_enabled: bool) -> Page:
    """A page with JavaScript on or off, following `js_enabled`."""
    return request.getfixturevalue("page_js" if js_enabled else "page_nojs")


# --- evidence: screenshots and accessibility --------------------------------------------

def save_screenshot(page: Page, name: str) -> Path:
    """Full-page PNG in tests/browser/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    return save_screenshot


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    - {target}")
            lines.append(f"      {node['html'].strip()[:300]}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"      {summary_line.strip()}")
    return "\n".join(lines)


def blocking_violations(page: Page) -> list[dict]:
    """axe-core's violations of impact serious or critical on the current page.

    axe runs asynchronously inside the page, so the page's context needs JavaScript on
    (with it off, axe's promise never settles).
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def assert_accessible(page: Page, label: str | None = None) -> None:
    """Fails at once, listing every serious or critical axe violation readably."""
    blocking = blocking_violations(page)
    if blocking:
        raise AssertionError(
            f"axe found {len(blocking)} serious/critical accessibility violation(s) on "
            f"{label or page.url}:\n{format_violations(blocking)}")


@pytest.fixture
def check_a11y() -> Callable[..., None]:
    return assert_accessible


@dataclass
class A11yReport:
    """Checks several pages along a flow and fails once at the end, listing them all,
    so that one contrast problem does not hide the rest of the flow's assertions."""
    found: dict[str, list[dict]] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)

    def check(self, page: Page, label: str) -> None:
        self.checked.append(label)
        blocking = blocking_violations(page)
        if blocking:
            self.found[label] = blocking

    def assert_clean(self) -> None:
        report = "\n\n".join(f"{label} ({len(violations)}):\n{format_violations(violations)}"
                              for label, violations in self.found.items())
        if self.found:
            raise AssertionError(
                f"axe found serious/critical accessibility violations on {len(self.found)} of "
                f"{len(self.checked)} pages checked:\n\n{report}")


@pytest.fixture
def a11y() -> A11yReport:
    return A11yReport()
