#!/usr/bin/env python3
"""Drives the web console in headless Chromium against a live `freeze-relay demo`.

Started by ConsoleBrowserTests (FreezeRelayTests). Runs the demo binary on a free broker port
and a free console port, reads the console URL (with its token) from the demo's output, and:
the bare URL is refused (401 page, no data); the token URL signs in and drops the token from
the address bar; each page loads and shows what it should; an escalation appears on the board
without a reload; screenshots of each page go to --screenshots. Exit status 0 when all checks
pass; otherwise the failed check is printed and the status is 1.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


class CheckFailed(Exception):
    pass


def check(condition, what):
    if not condition:
        raise CheckFailed(what)
    print(f"ok: {what}", flush=True)


def start_demo(executable, duration):
    demo = subprocess.Popen(
        [executable, "demo", "--duration", duration, "--port", "0", "--console-port", "0", "--time-scale", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    url = None
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = demo.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"web console: (http://\S+/\?token=\S+)", line)
        if match:
            url = match.group(1)
            break
    if url is None:
        demo.kill()
        raise CheckFailed("the demo printed no console URL:\n" + "".join(lines))
    # Keep reading so the demo never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in demo.stdout], daemon=True).start()
    return demo, url


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,1000", "--hide-scrollbars"]:
        options.add_argument(argument)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def wait_for(driver, seconds, condition, what):
    try:
        WebDriverWait(driver, seconds, poll_frequency=0.25).until(lambda d: condition(d))
    except Exception:
        raise CheckFailed(f"{what} (waited {seconds} s)")
    print(f"ok: {what}", flush=True)


def escalation_ids(driver):
    return {row.get_attribute("data-escalation")
            for row in driver.find_elements(By.CSS_SELECTOR, "tr[data-escalation]")}


def run_checks(driver, url, shots):
    base = url.split("?")[0].rstrip("/")

    # The bare URL: the login error and nothing else, for a client without the cookie.
    try:
        urllib.request.urlopen(base + "/", timeout=10)
        raise CheckFailed("the bare URL was served without the token")
    except urllib.error.HTTPError as error:
        body = error.read().decode()
        check(error.code == 401, "the bare URL answers 401")
        check("Sign-in required" in body and "escalation" not in body.lower(), "the 401 page shows no data")
    for path in ["/banks", "/dead-letters", "/assets/console.js", "/events/board", "/case?id=DEMO-CHAIN"]:
        try:
            urllib.request.urlopen(base + path, timeout=10)
            raise CheckFailed(f"{path} was served without the token")
        except urllib.error.HTTPError as error:
            check(error.code == 401, f"{path} answers 401 without the token")
    driver.get(base + "/")
    check("Sign-in required" in driver.page_source, "the browser without the cookie sees the login error")
    driver.save_screenshot(os.path.join(shots, "login-refused.png"))

    # Signing in with the printed URL: the token leaves the address bar.
    driver.get(url)
    wait_for(driver, 10, lambda d: d.find_elements(By.ID, "board-live"), "the token URL opens the board")
    check("token=" not in driver.current_url, "the address bar no longer holds the token")

    # Live: a marker set now survives only if the page is never reloaded.
    driver.execute_script("window.__notReloaded = true;")
    wait_for(driver, 15, lambda d: "live" in d.find_element(By.ID, "live-status").text, "the board's event stream is live")
    before = escalation_ids(driver)
    wait_for(driver, 90, lambda d: escalation_ids(d) - before,
             "a new escalation appears on the board without a reload")
    check(driver.execute_script("return window.__notReloaded === true;"), "the board was not reloaded")
    time.sleep(6)  # let a few more escalations arrive for the picture
    check("By bank, kind and level" in driver.page_source, "the board counts escalations by bank, kind and level")
    driver.save_screenshot(os.path.join(shots, "escalations.png"))

    # The multi-hop case: drawn, masked, its exit highlighted.
    wait_for(driver, 90, lambda d: (d.get(base + "/case?id=DEMO-CHAIN") or True)
             and d.find_elements(By.CSS_SELECTOR, "rect.exit"), "case DEMO-CHAIN shows an exit, highlighted")
    page = driver.page_source
    check(driver.find_elements(By.CSS_SELECTOR, "svg.trail rect.node"), "the money trail is drawn as SVG")
    check(re.search(r"\*\*\*\*\d{4}", page) is not None, "accounts are masked to their last four characters")
    check(re.search(r"KZ\d{2}\d{3}\d{13}", page) is None, "no full IBAN on the case page")
    check("Stolen" in page and "Frozen" in page and "Still moving" in page and "Exited" in page,
          "the case shows stolen, frozen, moving and exited totals")
    check("crypto wallet" in page, "the crypto wallet exit is named")
    # The demo's second victim paid into the chain's kaspi mule: the case links to that case.
    wait_for(driver, 90, lambda d: (d.get(base + "/case?id=DEMO-CHAIN") or True)
             and d.find_elements(By.CSS_SELECTOR, "table.links tbody tr"),
             "case DEMO-CHAIN links to another case that named one of its accounts")
    driver.save_screenshot(os.path.join(shots, "case.png"))

    # Following the link opens the other case, which links back.
    link = driver.find_element(By.CSS_SELECTOR, "table.links tbody tr a")
    check(link.text == "DEMO-MULE", "the linked case is DEMO-MULE, got %r" % link.text)
    link.click()
    wait_for(driver, 10, lambda d: d.find_elements(By.ID, "case-id") and d.find_element(By.ID, "case-id").text == "DEMO-MULE",
             "following the link opens DEMO-MULE")
    check("DEMO-CHAIN" in driver.find_element(By.CSS_SELECTOR, "table.links").text,
          "DEMO-MULE links back to DEMO-CHAIN")

    driver.get(base + "/banks")
    wait_for(driver, 5, lambda d: d.find_elements(By.CSS_SELECTOR, "table.banks tbody tr"), "the banks page lists banks")
    page = driver.page_source
    check("kaspi" in page and "forte" in page and "SLA" in page, "banks show their service levels")
    driver.save_screenshot(os.path.join(shots, "banks.png"))

    wait_for(driver, 60, lambda d: (d.get(base + "/dead-letters") or True)
             and d.find_elements(By.CSS_SELECTOR, "table.dead-letters tbody tr"), "the dead letters page lists dead letters")
    details = driver.find_elements(By.CSS_SELECTOR, "table.dead-letters details")
    if details:
        check(not details[0].get_attribute("open"), "payloads stay hidden until expanded")
        details[0].find_element(By.TAG_NAME, "summary").click()
        check(details[0].get_attribute("open") is not None, "a payload opens on request")
    driver.save_screenshot(os.path.join(shots, "dead-letters.png"))

    driver.get(base + "/search")
    box = driver.find_element(By.CSS_SELECTOR, "main input[name=q]")
    box.send_keys("DEMO-CHAIN")
    box.submit()
    wait_for(driver, 10, lambda d: d.find_elements(By.ID, "case-id"), "searching DEMO-CHAIN lands on the case")
    check(driver.find_element(By.ID, "case-id").text == "DEMO-CHAIN", "the case found is DEMO-CHAIN")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--freeze-relay", required=True, help="the freeze-relay executable")
    parser.add_argument("--screenshots", required=True, help="directory for the PNG screenshots")
    parser.add_argument("--duration", default="240s")
    arguments = parser.parse_args()
    os.makedirs(arguments.screenshots, exist_ok=True)
    demo, url = start_demo(arguments.freeze_relay, arguments.duration)
    driver = None
    try:
        driver = browser()
        run_checks(driver, url, arguments.screenshots)
        print("console browser checks: all passed", flush=True)
        return 0
    except CheckFailed as failure:
        print(f"FAILED: {failure}", flush=True)
        if driver is not None:
            driver.save_screenshot(os.path.join(arguments.screenshots, "failure.png"))
            print(driver.page_source[:4000], flush=True)
        return 1
    finally:
        if driver is not None:
            driver.quit()
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()


if __name__ == "__main__":
    sys.exit(main())
