"""The service as a person uses it: Debian's chromium driven by Selenium against a real
`taizhang serve` on a free loopback port. A county signs in, drops its return on the page,
sees the findings, signs out; the bureau signs in and watches the board change as another
return arrives. Screenshots of every page go to the test's folder, and to docs/img/ when
TAIZHANG_SCREENSHOTS names that folder (how the README's pictures are made)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx2
import pytest

from tests.service.conftest import wait_until

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM.exists() and DRIVER.exists()):
        pytest.fail("chromium and chromedriver are missing: .ci/run installs them")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--lang=zh-CN",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def shoot(driver, folder: Path, name: str) -> Path:
    """A screenshot of the whole page."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, max(700, min(int(height) + 40, 4000)))
    path = folder / f"service-{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
    wanted = os.environ.get("TAIZHANG_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(wanted) / path.name)
    return path


def sign_in(driver, url: str, code: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url + "/login")
    box = driver.find_element(By.ID, "code")
    box.clear()
    box.send_keys(code)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    assert wait_until(lambda: not driver.current_url.endswith("/login"), timeout=30)


def drop_file(driver, path: Path) -> None:
    """Drop a real file on the page's drop zone, as dragging it from a folder does."""
    from selenium.webdriver.common.by import By

    driver.execute_script(
        "var i = document.createElement('input'); i.type = 'file'; i.id = 'dragged';"
        "i.style.display = 'block'; document.body.appendChild(i);"
    )
    driver.find_element(By.ID, "dragged").send_keys(str(path))
    driver.execute_script(
        "var f = document.getElementById('dragged').files[0];"
        "var t = new DataTransfer(); t.items.add(f);"
        "var zone = document.getElementById('drop');"
        "zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: t, bubbles: true}));"
        "zone.dispatchEvent(new DragEvent('drop', {dataTransfer: t, bubbles: true}));"
    )


def board_row(driver, unit: str) -> str:
    from selenium.webdriver.common.by import By

    for row in driver.find_elements(By.CSS_SELECTOR, "table.board tbody tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        if cells and cells[0].text == unit:
            return cells[1].text
    raise AssertionError(f"{unit} not on the board")


def test_county_uploads_and_the_bureau_watches_the_board(
    browser, data, server_factory, sample_returns, tmp_path
):
    from selenium.webdriver.common.by import By

    server = server_factory(data.folder)
    url = server.url

    # a county signs in with its code (typed in lower case, as people do)
    browser.get(url + "/")
    assert browser.current_url.endswith("/login") and "登录" in browser.title
    shoot(browser, tmp_path, "signin")
    sign_in(browser, url, data.codes["嘉祥县"].lower())
    assert browser.current_url.endswith("/unit")
    assert "还没有上传过台账" in browser.page_source
    assert "嘉祥县" in browser.find_element(By.CSS_SELECTOR, ".bar .who").text

    # drops its return on the page and sees the findings at once
    drop_file(browser, sample_returns["嘉祥县"])
    assert wait_until(lambda: "show=" in browser.current_url, timeout=30), browser.page_source
    findings = browser.find_element(By.CSS_SELECTOR, "#findings table.findings")
    rows = findings.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in rows] == ["cover.phone-missing"]
    assert rows[0].find_elements(By.TAG_NAME, "td")[1].text.startswith("封面!")
    assert "退回" in browser.find_element(By.CSS_SELECTOR, "#findings h2").text
    marked = browser.find_element(By.LINK_TEXT, "下载标注副本（.xlsx）").get_attribute("href")
    assert marked.startswith(url + "/api/returns/") and marked.endswith("/marked")
    shoot(browser, tmp_path, "unit")

    # a return of another unit is refused on the page, in Chinese
    drop_file(browser, sample_returns["任城区"])
    status = browser.find_element(By.ID, "status")
    assert wait_until(lambda: "只能报送本单位" in status.text, timeout=30), status.text

    browser.find_element(By.CSS_SELECTOR, ".bar button").click()  # 退出
    assert wait_until(lambda: browser.current_url.endswith("/login"), timeout=30)

    # the bureau signs in and sees the board
    sign_in(browser, url, data.codes["市能源局"])
    assert browser.current_url.endswith("/bureau")
    assert board_row(browser, "嘉祥县") == "退回" and board_row(browser, "任城区") == "未报"
    chase = browser.find_element(By.CSS_SELECTOR, "table.chase").text
    assert "任城区" in chase and "嘉祥县" in chase

    # 任城区 sends its return (through the API, as the WPS add-in would); the board changes
    path = sample_returns["任城区"]
    sent = httpx2.post(
        url + "/api/returns",
        headers=data.bearer("任城区"),
        files={"file": (path.name, path.read_bytes())},
        timeout=60,
    )
    assert sent.status_code == 201
    browser.refresh()
    assert board_row(browser, "任城区") == "已报"
    counts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".states .state")[:4]]
    assert counts[0].startswith("1") and counts[2].startswith("1")  # 已报 1, 退回 1
    shoot(browser, tmp_path, "bureau")

    browser.find_element(By.LINK_TEXT, f"第 {sent.json()['id']} 号").click()
    assert wait_until(lambda: "/returns/" in browser.current_url, timeout=30)
    assert "未发现问题" in browser.page_source and "通过" in browser.page_source
    browser.back()
    assert wait_until(lambda: "/bureau" in browser.current_url, timeout=30)
    jiaxiang = browser.find_elements(By.CSS_SELECTOR, "table.board tbody tr")[8]
    assert jiaxiang.text.startswith("嘉祥县")
    jiaxiang.find_element(By.TAG_NAME, "a").click()  # the bureau reads a county's findings
    assert wait_until(lambda: "cover.phone-missing" in browser.page_source, timeout=30)
    shoot(browser, tmp_path, "return")

    code, _out, err = server.stop()
    assert code == 0 and "Traceback" not in err
    for name in ("signin", "unit", "bureau", "return"):
        assert (tmp_path / f"service-{name}.png").stat().st_size > 10_000
