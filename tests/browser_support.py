"""A real browser for tests: Playwright driving Debian's Chromium against the app served on loopback.

The fixtures reach every test module through ``pytest_plugins`` in conftest.py (import helpers only,
never the fixtures: a second import would start a second Playwright).

Without Chromium the browser tests are skipped with the reason printed; with CI=true that is a
failure instead, so CI can never pass without having run them. Screenshots go to SCREENSHOT_DIR.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT_DIR = Path(os.environ.get("PORTAL_SCREENSHOT_DIR", ROOT / "test-artifacts" / "screenshots"))
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = {"desktop": 1280, "phone": 375}


def unavailable(reason: str):
    """Skip with the reason printed; under CI=true fail instead, so CI never passes without the check."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def axe_script() -> Path:
    """axe-core's browser script, as shipped inside the axe-playwright-python wheel (no download)."""
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (make test installs it)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        unavailable(f"Chromium not found at {CHROMIUM} (install it with: apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test's app served on 127.0.0.1 from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(browser):
    # bypass_csp lets the axe script be injected; the portal's CSP stays on for everything else.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def run_axe(page) -> list[dict]:
    """Every axe violation on the page as it is now (impact, id, help, targets)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
    ]


def capture(page, name: str) -> list[Path]:
    """Full-page screenshots at desktop and phone widths; the page is restored to desktop width."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        path = SCREENSHOT_DIR / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size({"width": 1280, "height": 900})
    return paths


def phone_overflow(page) -> int:
    """How many pixels the page is wider than a 375-px phone screen (0 when it fits)."""
    page.set_viewport_size({"width": 375, "height": 900})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return overflow


AUDIT_LOG: list[dict] = []


@pytest.fixture
def audit_and_capture(request, backend):
    """Audit the current page with axe, take screenshots (SQLite run only), and return the serious ones."""

    def check(page, name: str) -> list[dict]:
        # axe at each width: the phone layout is a different page as far as contrast and overlap go.
        violations = []
        for width in WIDTHS.values():
            page.set_viewport_size({"width": width, "height": 900})
            for violation in run_axe(page):
                violations.append({**violation, "width": width})
        page.set_viewport_size({"width": 1280, "height": 900})
        for violation in violations:
            print(
                f"axe [{name} @{violation['width']}px] {violation['impact']}: {violation['id']} – "
                f"{violation['help']} {violation['targets']}"
            )
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        screenshots = capture(page, name) if backend == "sqlite" else []
        AUDIT_LOG.append(
            {
                "page": name,
                "violations": [f"{v['impact']}:{v['id']}@{v['width']}" for v in violations],
                "screenshots": [str(p) for p in screenshots],
                "phone_overflow_px": phone_overflow(page),
            }
        )
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        (SCREENSHOT_DIR / "axe-report.json").write_text(json.dumps(AUDIT_LOG, indent=2))
        return serious

    return check
