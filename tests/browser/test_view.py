"""`vnetlab view`: the page, loaded from file:// in headless Chromium.

Oracles: `vnetlab matrix --json` and `vnetlab trace` (the CLI, run as a
separate process), the lab model for the nodes, and the browser's own
console for errors.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vnetlab.load import load_file, load_text
from vnetlab.resolve import resolve
from vnetlab.view import build_page

from .conftest import OUT, ROOT, console_errors, open_page

FLAGSHIP = ROOT / "labs" / "macvlan-modes.yaml"
GUESTS = ROOT / "labs" / "tap-bridge-kvm.yaml"


def vnetlab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vnetlab", *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def flagship_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("view") / "mvmodes.html"
    p = vnetlab("view", str(FLAGSHIP), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert f"wrote {out}" in p.stderr
    return out


def cells(d: Any) -> list[dict[str, str]]:
    return d.execute_script(
        "return Array.from(document.querySelectorAll('#matrix td')).map(function (td) {"
        " return {src: td.dataset.src, dst: td.dataset.dst, reach: td.dataset.reach}; });"
    )


def click_cell(d: Any, src: str, dst: str) -> str:
    td = d.find_element("css selector", f"#matrix td[data-src='{src}'][data-dst='{dst}']")
    d.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'});", td)
    td.click()
    return str(d.find_element("id", "trace").text)


def because_rules(lab: Path, src: str, dst: str) -> list[str]:
    """The drop rules `vnetlab trace` gives as the reasons an unreachable probe failed."""
    p = vnetlab("trace", str(lab), src, dst)
    assert p.returncode == 1, p.stdout + p.stderr  # unreachable
    return re.findall(r"^\s+because .*\[([a-z0-9-]+); ", p.stdout, re.M)


def test_page_is_self_contained(flagship_page: Path) -> None:
    text = flagship_page.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)  # nothing fetched
    assert "<script src" not in text and "<link" not in text
    assert "@import" not in text and "url(" not in text


def test_svg_has_every_node(browser: Any, flagship_page: Path) -> None:
    log = open_page(browser, flagship_page)
    r = resolve(load_file(FLAGSHIP).lab)
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('#drawing-svg .vn-name')).map(function (e) { return e.textContent; });"
    )
    assert set(names) >= set(r.lab.nodes) | set(r.lab.switches)
    # every interface is a drawn element with its device name, its title holding kind and addresses
    devs = browser.execute_script(
        "var o = {}; document.querySelectorAll('#drawing-svg [data-dev]').forEach(function (g) {"
        " o[g.dataset.dev] = g.querySelector('title').textContent; }); return o;"
    )
    for k, i in r.ifaces.items():
        title = devs[f"{k[0]}/{k[1]}"]
        assert f"kind: {i.kind}" in title
        for a in i.spec.addresses:
            assert a in title
    assert console_errors(log) == []


def test_matrix_cells_are_vnetlab_matrix(browser: Any, flagship_page: Path) -> None:
    open_page(browser, flagship_page)
    p = vnetlab("matrix", str(FLAGSHIP), "--json")
    assert p.returncode == 0, p.stderr
    m = json.loads(p.stdout)
    want = {(s, a): v for s, row in m["rows"].items() for a, v in row.items()}
    got = cells(browser)
    assert len(got) == len(want) == len(m["rows"]) * len(m["targets"])
    assert {(c["src"], c["dst"]): c["reach"] == "true" for c in got} == want
    assert any(c["reach"] == "false" for c in got)


def test_red_cells_show_the_drop_rule_of_vnetlab_trace(browser: Any, flagship_page: Path) -> None:
    log = open_page(browser, flagship_page)
    red = [c for c in cells(browser) if c["reach"] == "false"]
    assert red
    for c in red[:4]:
        text = click_cell(browser, c["src"], c["dst"])
        assert f"trace {c['src']} -> {c['dst']}" in text
        assert "=> unreachable" in text
        rules = because_rules(FLAGSHIP, c["src"], c["dst"])
        assert rules, "vnetlab trace names no rule"
        for rule in rules:
            assert f"[{rule}; " in text
        # the drop is on the drawing too
        assert browser.execute_script("return document.querySelectorAll('#drawing-svg .vn-drop').length") > 0
    assert console_errors(browser.get_log("browser") + log) == []


def test_green_cell_trace_highlights_the_path(browser: Any, flagship_page: Path) -> None:
    open_page(browser, flagship_page)
    text = click_cell(browser, "b1", "198.51.100.12")
    assert "=> reachable: 198.51.100.12 answered" in text
    lit = browser.execute_script(
        "return Array.from(document.querySelectorAll('#drawing-svg .node.vn-hop')).map(function (g) { return g.dataset.dev; });"
    )
    assert {"b1/mv0", "b2/mv0", "bridge/eth0"} <= set(lit)


def test_expectation_click_shows_its_trace(browser: Any, flagship_page: Path) -> None:
    open_page(browser, flagship_page)
    rows = browser.find_elements("css selector", "#expectations tbody tr")
    assert len(rows) == len(load_file(FLAGSHIP).lab.expect)
    row = browser.find_element("css selector", "#expectations tbody tr[data-from='p1'][data-to='p2']")
    assert row.find_element("css selector", ".pass").text == "PASS"
    row.click()
    text = browser.find_element("id", "trace").text
    for rule in because_rules(FLAGSHIP, "p1", "p2"):
        assert f"[{rule}; " in text


def test_keyboard_alone(browser: Any, flagship_page: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_page(browser, flagship_page)
    # Tab from the page's start reaches the grid (one tab stop), arrows move, Enter shows the trace.
    browser.find_element("tag name", "body").click()
    for _ in range(12):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.execute_script("return document.activeElement.tagName") == "TD":
            break
    active = browser.switch_to.active_element
    assert active.tag_name == "td"
    ActionChains(browser).send_keys(Keys.ARROW_DOWN, Keys.ARROW_RIGHT, Keys.ENTER).perform()
    active = browser.switch_to.active_element
    src, dst = active.get_attribute("data-src"), active.get_attribute("data-dst")
    assert (src, dst) == ("b1", "198.51.100.11")
    assert f"trace {src} -> {dst}" in browser.find_element("id", "trace").text


def test_hostile_strings_do_not_execute(browser: Any, tmp_path: Path) -> None:
    evil = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">&lt;b&gt;'
    lab = tmp_path / "evil.yaml"
    lab.write_text(
        "lab: evil\n"
        f"description: {json.dumps(evil)}\n"
        "switches: {sw: {}}\n"
        "nodes:\n"
        "  a: {interfaces: {eth0: {kind: nic, switch: sw, addresses: [192.0.2.1/24]}}}\n"
        "  b: {interfaces: {eth0: {kind: nic, switch: sw, addresses: [192.0.2.2/24]}}}\n"
        f"expect:\n  - {{from: a, to: b, reach: true, why: {json.dumps(evil)}}}\n"
    )
    out = tmp_path / "evil.html"
    p = vnetlab("view", str(lab), "-o", str(out))
    assert p.returncode == 0, p.stderr
    raw = out.read_text()
    assert "<script>window.pwned" not in raw and "<img src=x" not in raw
    log = open_page(browser, out)
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    ids = browser.execute_script("return Array.from(document.scripts).map(function (s) { return s.id; })")
    assert ids == ["vnetlab-data", "", "vnetlab-traces"]  # the page's own, and no other
    why = browser.find_element("css selector", "#expectations tbody tr td:last-child").text
    assert why == evil  # shown as the text it is
    assert browser.find_element("css selector", "header p").text == evil
    assert console_errors(log) == []


ESC_LAB = """\
lab: esc
nodes:
  a:
    interfaces:
      "e<b>&i": {kind: veth, peer: b/eth0, addresses: [192.0.2.1/24]}
  b:
    interfaces:
      eth0: {kind: veth, peer: "a/e<b>&i", addresses: [192.0.2.2/24], up: false}
expect:
  - {from: a, to: b, reach: false, why: "\\e]0;pwned\\a \\u202e"}
"""


@pytest.mark.parametrize("engine", ["dot", "builtin"])
def test_control_characters_are_shown_as_escapes(browser: Any, tmp_path: Path, engine: str) -> None:
    """An interface name with markup (the kernel accepts it) is drawn and traced as text, and its
    trace highlights it on the drawing; control characters (here in why:) show as the CLI prints
    them, \\x1b-escaped."""
    r = resolve(load_text(ESC_LAB).lab)
    page, st = build_page(r, file_label="esc.yaml", engine=engine)
    assert st.engine == engine
    assert "\x1b" not in page and "\u202e" not in page
    out = tmp_path / "esc.html"
    out.write_text(page)
    log = open_page(browser, out)
    dev = "a/e<b>&i"
    assert browser.execute_script("return !!document.querySelector('#drawing-svg [data-dev]')")
    devs = browser.execute_script(
        "return Array.from(document.querySelectorAll('#drawing-svg [data-dev]')).map(function (g) { return g.dataset.dev; });"
    )
    assert dev in devs
    text = click_cell(browser, "a", "192.0.2.2")
    assert dev in text and "=> unreachable" in text
    lit = browser.execute_script(
        "return Array.from(document.querySelectorAll('#drawing-svg .vn-hop, #drawing-svg .vn-drop'))"
        ".map(function (g) { return g.dataset.dev || g.dataset.node; });"
    )
    assert dev in lit
    why = browser.find_element("css selector", "#expectations tbody tr td:last-child").text
    assert why == "\\x1b]0;pwned\\x07 \\u202e"
    assert console_errors(log) == []


def test_builtin_layout_without_graphviz(browser: Any, tmp_path: Path) -> None:
    """Where `dot` is not installed the page draws the same elements itself."""
    r = resolve(load_file(GUESTS).lab)
    page, st = build_page(r, file_label=str(GUESTS), engine="builtin")
    assert st.engine == "builtin"
    out = tmp_path / "guests.html"
    out.write_text(page)
    log = open_page(browser, out)
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('#drawing-svg .vn-name')).map(function (e) { return e.textContent; });"
    )
    assert set(names) >= set(r.lab.nodes) | set(r.lab.switches) | set(r.guests)
    n_cells = len(cells(browser))
    assert n_cells == st.cells > 0
    assert console_errors(log) == []


def test_step_names_a_step_of_the_lab(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    p = vnetlab("view", str(FLAGSHIP), "--step", "one", "-o", str(out))
    assert p.returncode == 2
    assert "no step named 'one'" in p.stderr
    assert not out.exists()
    lab = FLAGSHIP.parent / "steps-vepa-hairpin.yaml"
    p = vnetlab("view", str(lab), "--step", "hairpin on", "-o", str(out), "--traces", "failing")
    assert p.returncode == 0, p.stderr
    # the page says which step it shows; a probe whose trace it does not hold (reached, with
    # --traces failing) gives the shell command for that same step
    assert browser is not None
    log = open_page(browser, out)
    assert browser.find_element("css selector", "h1").text == "lab stvepa after step hairpin on"
    text = click_cell(browser, "v2", "192.0.2.11")  # reached, and no expectation names it
    assert f"vnetlab trace {lab} v2 192.0.2.11 --step 'hairpin on'" in text, text
    assert console_errors(log) == []


def test_screenshot_of_the_flagship(browser: Any, flagship_page: Path) -> None:
    """The README's picture: the flagship lab with the trace of p1 -> p2 (private siblings) shown."""
    size = browser.get_window_size()
    browser.set_window_size(1600, 1500)
    try:
        log = open_page(browser, flagship_page)
        text = click_cell(browser, "p1", "198.51.100.32")
        assert "bridge-no-hairpin" in text
        browser.execute_script("window.scrollTo(0, 0)")
        OUT.mkdir(parents=True, exist_ok=True)
        shot = OUT / "view-macvlan-modes.png"
        assert browser.save_screenshot(str(shot))
    finally:
        browser.set_window_size(size["width"], size["height"])
    assert shot.stat().st_size > 20_000
    assert console_errors(log) == []


@pytest.mark.kernel
def test_both_backends_mark_disagreements(browser: Any, tmp_path: Path) -> None:
    """--backend both: every cell carries both verdicts; a disagreement is marked (none on the flagship)."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("the kernel backend needs root (it runs in a throw-away sandbox)")
    out = tmp_path / "both.html"
    p = vnetlab("view", str(FLAGSHIP), "--backend", "both", "-o", str(out))
    assert p.returncode == 0, p.stderr
    log = open_page(browser, out)
    info = browser.execute_script(
        "var t = Array.from(document.querySelectorAll('#matrix td'));"
        "return {n: t.length, both: t.filter(function (c) { return c.dataset.sim && c.dataset.kernel; }).length,"
        " differ: t.filter(function (c) { return c.dataset.sim !== c.dataset.kernel; }).length,"
        " marked: document.querySelectorAll('#matrix td.disagree').length};"
    )
    assert info["n"] == info["both"] > 0
    assert info["marked"] == info["differ"]
    assert info["marked"] == 0  # the kernel is the judge: on the flagship the simulator agrees with it
    assert console_errors(log) == []


def test_large_lab_page(browser: Any, tmp_path: Path) -> None:
    """A 60-node star: one cell per probe, every probe's trace (packed: gzip'd in the page)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from genlabs import star

    r = resolve(load_text(star(60)).lab)
    page, st = build_page(r, file_label="star60.yaml", jobs=2)
    assert st.cells == st.traced == 3600
    out = tmp_path / "star60.html"
    out.write_text(page)
    assert "data-encoding='gzip'" in page
    log = open_page(browser, out)
    assert len(cells(browser)) == 3600
    text = click_cell(browser, "n59", "198.18.0.1")
    assert "=> reachable" in text and "devices)" in text  # the flood is folded into one line
    # the drawing zooms and pans, from the keyboard and with the mouse
    from selenium.webdriver.common.action_chains import ActionChains

    def vb() -> list[float]:
        box = browser.execute_script("return document.getElementById('drawing-svg').getAttribute('viewBox')")
        return [float(x) for x in box.split()]

    drawing = browser.find_element("id", "drawing")
    browser.execute_script("arguments[0].scrollIntoView(); arguments[0].focus();", drawing)
    before = vb()
    ActionChains(browser).send_keys("+").perform()
    zoomed = vb()
    assert zoomed[2] < before[2]
    ActionChains(browser).send_keys("\ue014").perform()  # arrow right
    panned = vb()
    assert panned[0] > zoomed[0]
    ActionChains(browser).move_to_element(drawing).click_and_hold().move_by_offset(-200, 0).release().perform()
    assert vb()[0] > panned[0]
    browser.find_element("id", "zoom-fit").click()
    assert vb()[2] > zoomed[2]
    assert console_errors(log) == []


def test_traces_do_not_depend_on_the_number_of_processes() -> None:
    """Each row is traced from a fresh simulator, so workers change nothing in the page."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from genlabs import star

    r = resolve(load_text(star(25)).lab)
    one, st1 = build_page(r, file_label="star25.yaml", jobs=1)
    two, st2 = build_page(r, file_label="star25.yaml", jobs=2)
    assert st1.traced == st2.traced == 625
    assert one == two


@pytest.mark.parametrize("lab", sorted((ROOT / "labs").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_lab_page_explains_every_cell(browser: Any, tmp_path: Path, lab: Path) -> None:
    """Every lab's page: a trace for every cell, ending in the cell's own verdict; no console error."""
    from vnetlab.sim import sim_unsupported

    r = resolve(load_file(lab).lab)
    if why := sim_unsupported(r.lab):  # the page is the simulator's traces: refused (exit 3), never a silent page
        assert "nftables" in why
        return
    page, st = build_page(r, file_label=str(lab), jobs=1)
    out = tmp_path / f"{lab.stem}.html"
    out.write_text(page)
    log = open_page(browser, out)
    bad = browser.execute_script(
        "var bad = [];"
        "document.querySelectorAll('#matrix td').forEach(function (td) {"
        "  td.click(); var t = document.getElementById('trace').textContent;"
        "  var want = td.dataset.reach === 'true' ? '=> reachable' : '=> unreachable';"
        "  if (t.indexOf('trace ' + td.dataset.src + ' -> ' + td.dataset.dst) < 0 || t.indexOf(want) < 0)"
        "    bad.push(td.dataset.src + ' ' + td.dataset.dst);"
        "});"
        "return bad;"
    )
    assert bad == []
    assert st.traced >= st.cells  # and expectations' probes to addresses no node holds
    assert console_errors(log + browser.get_log("browser")) == []
