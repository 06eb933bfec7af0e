"""environment.yml and pyproject.toml must name the same packages (DESIGN.md §9)."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        declared |= {_name(r) for r in extra}

    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section and "-e ." in pip_section[0]["pip"], "environment.yml must install the package itself"
    pip_only = {_name(d) for d in pip_section[0]["pip"] if d != "-e ."}
    assert not conda & pip_only, f"listed twice: {sorted(conda & pip_only)}"
    conda |= pip_only

    assert conda - declared == set(), f"only in environment.yml: {sorted(conda - declared)}"
    assert declared - conda == set(), f"only in pyproject.toml: {sorted(declared - conda)}"
