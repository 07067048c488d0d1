"""The Graphviz export, rendered by the real `dot` and read back as SVG."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import LABS, ROOT

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)")
def test_macvlan_modes_renders_to_svg(run_cli, tmp_path) -> None:
    svg = tmp_path / "out.svg"
    code, out, err = run_cli("export", str(ROOT / "labs" / "macvlan-modes.yaml"), "--format", "dot", "--svg", str(svg))
    assert code == 0, err
    assert out.startswith("digraph mvmodes")
    tree = ET.parse(svg)
    titles = {t.text for t in tree.iter(f"{SVG}title")}
    assert "cluster_node_b1" in titles and "cluster_switch_lan" in titles
    assert "if/bridge/eth0&#45;&gt;if/b1/mv0" in titles or "if/bridge/eth0->if/b1/mv0" in titles
    texts = {t.text for t in tree.iter(f"{SVG}text")}
    assert "macvlan bridge" in texts and "macvlan private" in texts and "hairpin" in texts


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_every_lab_renders(run_cli, tmp_path, path) -> None:
    svg = tmp_path / "x.svg"
    code, _, err = run_cli("export", str(path), "--format", "dot", "--svg", str(svg))
    assert code == 0, err
    ET.parse(svg)
