"""The HTML report in a real browser (headless Chromium driven by Playwright): clicking a
matrix cell lists the passages where the two codes meet; the static parts read with
JavaScript off. CI installs Debian's ``chromium`` and sets ``QUALCODE_REQUIRE_BROWSER=1`` so
this cannot be skipped there; elsewhere it is skipped when no Chromium is found.

``QUALCODE_SCREENSHOTS=docs/images`` also saves the screenshot the README shows.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import qualcode as qc

from .conftest import CODEBOOK
from .report_helpers import embedded, tag_examples


def _chromium() -> str | None:
    for name in (os.environ.get("QUALCODE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _require():
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason is None and _chromium() is None:
        reason = "no Chromium found (Debian: apt-get install chromium)"
    if reason is not None:
        if os.environ.get("QUALCODE_REQUIRE_BROWSER"):
            pytest.fail(f"the browser test must run here: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    _require()
    folder = tmp_path_factory.mktemp("browser")
    coded = tag_examples(folder)
    report = qc.report(coded, CODEBOOK, by=["role"])
    return report.save(folder / "report.html"), embedded(report.html)


@pytest.fixture(scope="module")
def browser():
    _require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _open(browser, path: Path, javascript: bool = True):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    return page, errors


def _busiest(data: dict) -> tuple[str, str]:
    key = max(sorted(data["pairs"]), key=lambda k: len(data["pairs"][k]))
    a, b = key.split("\t")
    return a, b


def test_clicking_a_cell_lists_the_passages_where_the_two_codes_meet(browser, report_file, tmp_path):
    path, data = report_file
    page, errors = _open(browser, path)
    a, b = _busiest(data)
    assert page.locator("#passages").is_hidden()
    page.locator(f'#cooccurrence a.cell[data-a="{a}"][data-b="{b}"]').click()
    page.wait_for_selector("#passages:not([hidden])")
    expected = data["pairs"][f"{a}\t{b}"]
    shown = page.locator("#passages-list > li")
    assert shown.count() == min(len(expected), 25)
    for k, index in enumerate(expected[: shown.count()]):
        passage = data["passages"][index]
        item = shown.nth(k)
        assert item.locator("blockquote").inner_text().strip() == passage["text"].strip()
        assert f"{passage['doc']} #{passage['seg']}" in item.inner_text()
    assert str(len(expected)) in page.locator("#passages-title").inner_text()
    assert data["labels"][a] in page.locator("#passages-title").inner_text()
    screenshot = page.screenshot(path=str(tmp_path / "report.png"))
    assert len(screenshot) > 10_000
    target = os.environ.get("QUALCODE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / "report.png"))
    page.keyboard.press("Escape")
    assert page.locator("#passages").is_hidden()
    assert errors == []


def test_a_group_cell_lists_only_that_groups_passages(browser, report_file):
    path, data = report_file
    page, errors = _open(browser, path)
    cell = page.locator('#by-group a.cell[data-column="role"]').first
    a, b, value = cell.get_attribute("data-a"), cell.get_attribute("data-b"), cell.get_attribute("data-value")
    cell.click()
    page.wait_for_selector("#passages:not([hidden])")
    expected = [
        k for k in data["pairs"].get("\t".join(sorted((a, b))), []) if ["role", value] in data["passages"][k]["groups"]
    ]
    assert page.locator("#passages-list > li").count() == min(len(expected), 25)
    assert f"role = {value}" in page.locator("#passages-title").inner_text()
    assert errors == []


def test_show_all_pages_through_a_codes_passages(browser, report_file):
    path, data = report_file
    page, errors = _open(browser, path)
    button = page.locator("button.all").first
    code = button.get_attribute("data-code")
    button.click()
    assert page.locator("#passages-list > li").count() == min(len(data["codes"][code]), 25)
    assert errors == []


def test_without_javascript_the_static_parts_read(browser, report_file):
    path, _ = report_file
    page, _ = _open(browser, path, javascript=False)
    assert page.locator("#codebook ol.passages > li").count() > 0
    assert page.locator("#codebook mark").count() > 0  # evidence is marked without any script
    assert page.locator("#cooccurrence a.cell").count() > 0
    assert page.locator("#frequencies table").count() >= 2
    assert page.locator("#passages").is_hidden()
