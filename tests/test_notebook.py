"""The walkthrough notebook runs from top to bottom (nbclient), so it never rots."""

from __future__ import annotations

import json

import pytest

from .conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"


def test_notebook_is_committed_without_outputs():
    data = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [cell for cell in data["cells"] if cell["cell_type"] == "code"]
    assert code and all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)


@pytest.mark.model
def test_notebook_executes():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "hybrid min_score 0.4" in text and "reviewed.csv" in text
    assert "differ" in text and "held_by" in text  # the connections between a district's leaders
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # heatmap, small multiples, prevalence, and the saved PNG shown
    html = "\n".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "Caring schools - district leaders</b> (version 1.0, 14 codes" in html  # the codebook as a table
    assert "<b>qualcode report</b>" in html and "<iframe srcdoc=" in html
    written = NOTEBOOK.parent / "outputs"
    assert {"report.html", "study.qdpx", "cooccurrence.png", "reviewed.csv"} <= {p.name for p in written.iterdir()}
