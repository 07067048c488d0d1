"""Moving labs in and out: export to other tools' formats, import from live kernel state."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from . import machine as _machine
from . import render
from .main import LAB_ARG, PathArg, _not_yet, cli, errors_to_exit

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ["json", "dot", "ip", "libvirt", "networkd", "nspawn"]


@cli.command()
@LAB_ARG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="json: normalised lab with every default and derived value; dot: Graphviz diagram; ip, libvirt, networkd, nspawn: configuration for other tools.",
)
@click.option(
    "--svg",
    type=PathArg(dir_okay=False),
    help="With --format dot: also render the diagram to this SVG file with Graphviz's `dot`.",
)
@click.option(
    "-o",
    "--output",
    type=PathArg(),
    help="Write to this file instead of stdout (for networkd: a directory).",
)
@click.option(
    "--domain",
    is_flag=True,
    help="With --format libvirt: wrap the <interface> elements in a minimal <domain> document.",
)
@errors_to_exit
def export(lab: Path, fmt: str, svg: Path | None, output: Path | None, domain: bool) -> None:
    """Write the lab in another form.

    \b
    vnetlab export lab.yaml --format json         # what the backends see
    vnetlab export lab.yaml --format dot --svg lab.svg
    vnetlab export lab.yaml --format libvirt --domain   # guests' NICs for virsh
    """
    from ..errors import InputError

    if svg is not None and fmt != "dot":
        raise InputError("--svg goes with --format dot")
    from ..load import load_file
    from ..resolve import resolve

    r = resolve(load_file(lab).lab)
    if fmt == "json":
        from ..export.json import to_json

        text = to_json(r)
    elif fmt == "ip":
        from ..export.ip_batch import to_script

        text = to_script(r)
    elif fmt == "networkd":
        from ..export.networkd import files, to_text

        if output is not None:  # a directory of NODE/NN-IFNAME.{netdev,network} files
            for rel, body in files(r).items():
                (output / rel).parent.mkdir(parents=True, exist_ok=True)
                (output / rel).write_text(body)
            render.say(f"wrote {len(files(r))} files under {output}/", to_stderr=True)
            return
        text = to_text(r)
    elif fmt == "nspawn":  # NODE.nspawn files and the .network files inside (-o: a directory)
        from ..export.nspawn import export_to

        written = export_to(r, output)  # None: the files are written under output
        if written is None:
            return
        text = written
    elif fmt == "libvirt":
        from ..export.libvirt import to_xml

        if not r.guests:
            raise InputError(f"lab {r.lab.lab} has no guests: libvirt <interface> XML describes guests' NICs")
        text = to_xml(r, domain=domain)
    elif fmt == "dot":
        from ..export.dot import to_dot

        text = to_dot(r)
        if svg is not None:
            _render_svg(text, svg)
    else:
        _not_yet(f"export --format {fmt}", "exports")
        return
    if output is not None:
        output.write_text(text)
    else:
        sys.stdout.write(text)


def _render_svg(dot_source: str, svg: Path) -> None:
    import shutil
    import subprocess

    from ..errors import EnvironmentProblem

    exe = shutil.which("dot")
    if exe is None:
        raise EnvironmentProblem("rendering SVG needs Graphviz's `dot` program (Debian package graphviz)")
    proc = subprocess.run([exe, "-Tsvg", "-o", str(svg)], input=dot_source.encode(), capture_output=True, check=False)
    if proc.returncode != 0:
        raise EnvironmentProblem(f"dot failed: {proc.stderr.decode(errors='replace').strip()}")
    render.say(f"wrote {svg}", to_stderr=True)


@cli.command(name="import")
@_machine.machine_options  # --host, --pid, --containers, --uplink
@click.option("--netns", "netns", multiple=True, help="A named namespace to read (repeatable).")
@click.option("--all", "all_", is_flag=True, help="Read every named namespace (/run/netns).")
@click.option("--lab", "lab_name", help="The lab's name (default: the namespaces' common prefix).")
@click.option("-o", "--output", type=PathArg(dir_okay=False), help="Write the lab here instead of stdout.")
@errors_to_exit
def import_(netns: tuple[str, ...], all_: bool, lab_name: str | None, output: Path | None, **machine: Any) -> None:
    """Read live kernel state back into a lab file that validates.

    Namespaces become nodes (a namespace holding only a bridge and its veth
    ports becomes a switch, and the far ends its nics), with their links,
    kinds, modes, parents, bridge ports, MACs, addresses, static routes and
    permanent neighbours. Then `trace`, `matrix` and `test` work on it: point
    vnetlab at a real machine and ask why a container cannot reach its host.

    \b
    vnetlab import --all -o machine.yaml && vnetlab matrix machine.yaml
    """
    from ..errors import InputError
    from ..kernel import nsutil, preflight
    from ..kernel.importer import check_names, to_lab
    from ..load import load_text

    preflight.require_privileges()
    preflight.require_namespace_access()
    names = list(netns) or (nsutil.list_names() if all_ else [])
    if any(machine.values()):
        return _machine.import_machine(names, lab_name, output, **machine)
    if not names:
        raise InputError("name the namespaces to read with --netns NS (repeatable), or --all")
    check_names(names)
    text = to_lab(names, lab_name)
    load_text(text, "<imported>")  # what we write must validate
    if output is not None:
        output.write_text(text)
        render.say(f"wrote {output} ({len(names)} namespaces)", to_stderr=True)
    else:
        sys.stdout.write(text)
