"""Conventions of every committed notebook (DESIGN.md §7, common brief)."""

import ast
from pathlib import Path

import nbformat
import pytest

from rd_methods.publish.parameters import inspect_parameters, parameters_cell
from rd_methods.schemas import TABLES

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/NN_topic.ipynb expected"


def test_committed_without_outputs_or_execution_counts(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {i} has outputs"
            assert cell.execution_count is None, f"{path.name}: cell {i} has an execution count"


def test_kernelspec_and_metadata(notebook):
    path, nb = notebook
    assert nb.metadata["kernelspec"]["name"] == "rd-methods", path.name
    meta = nb.metadata.get("rd_methods", {})
    assert isinstance(meta.get("title"), str) and meta["title"].strip(), f"{path.name}: rd_methods.title"
    requires = meta.get("requires")
    assert isinstance(requires, list) and requires, f"{path.name}: rd_methods.requires (list of tables)"
    unknown = set(requires) - set(TABLES)
    assert not unknown, f"{path.name}: requires tables outside the contract: {sorted(unknown)}"


def test_parameters_cell_literals_annotations_help(notebook):
    path, nb = notebook
    cell = parameters_cell(nb)
    assert cell is not None, f"{path.name}: no cell tagged 'parameters'"
    tree = ast.parse(cell.source)
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), (
            f"{path.name}: parameters cell line {node.lineno} is not an annotated assignment")
    params = inspect_parameters(nb)
    names = [p["name"] for p in params]
    assert {"campaign", "data_dir"} <= set(names), f"{path.name}: campaign and data_dir are required"
    for p in params:
        assert p["literal"], f"{path.name}: {p['name']} default is not a literal"
        assert p["type"], f"{path.name}: {p['name']} has no type annotation"
        assert p["has_help_comment"] and p["help"], f"{path.name}: {p['name']} has no '# help:' comment"
        value = ast.literal_eval(p["default"])
        assert type(value).__name__ in p["type"] or p["type"] in ("float", "str | None", "int | None"), (
            f"{path.name}: {p['name']} default {value!r} does not match its type {p['type']}")


def test_papermill_sees_every_parameter(notebook):
    """papermill's own parser drops a line whose help comment holds "=": keep help texts without it."""
    import papermill

    path, nb = notebook
    expected = [p["name"] for p in inspect_parameters(nb)]
    assert list(papermill.inspect_notebook(str(path))) == expected, path.name
