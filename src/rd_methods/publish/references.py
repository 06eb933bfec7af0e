"""``reports/references.html``: the bibliography page of the site.

Rendered from :mod:`rd_methods.references` (the package's one bibliography) with the site's
stylesheet, one anchor per entry (its key, so that ``references.cite(key)`` links to it),
entries grouped by the analysis that uses them. Written atomically by
:func:`write_references_page`, which :func:`rd_methods.publish.site.write_site_index` calls
each time the site index is written: every page of the site links to it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from markupsafe import Markup

from rd_methods import references
from rd_methods.publish.html import jinja_env, site_css

__all__ = ["TOPIC_LABELS", "render_references_page", "write_references_page"]

#: French headings of the bibliography, in reading order (an entry's ``topic``)
TOPIC_LABELS = {
    "value_chain": "Chaîne de valeur élargie",
    "network": "Réseau des acteurs",
    "pipeline": "Parcours des projets",
    "survey": "Enquête auprès des parties prenantes",
    "counterfactual": "Effets sur le territoire",
    "resilience": "Résilience",
    "sroi": "Retour social sur investissement (SROI)",
    "economic_model": "Modèle économique",
    "synthesis": "Synthèse et analyse de contribution",
}


def render_references_page() -> str:
    """HTML of ``reports/references.html`` (every entry of the bibliography)."""
    frame = references.entries()
    groups = []
    for topic, label in TOPIC_LABELS.items():
        keys = frame.loc[frame["topic"] == topic, "key"].tolist()
        if keys:
            groups.append({"id": f"theme-{topic.replace('_', '-')}", "label": label,
                           "entries": [{"key": k, "html": Markup(references.format_entry(k))} for k in keys]})
    other = frame.loc[~frame["topic"].isin(list(TOPIC_LABELS)), "key"].tolist()
    if other:
        groups.append({"id": "theme-autres", "label": "Autres travaux",
                       "entries": [{"key": k, "html": Markup(references.format_entry(k))} for k in other]})
    return jinja_env().get_template("references.html.j2").render(css=Markup(site_css()), groups=groups,
                                                                  count=len(frame))


def write_references_page(reports: Path) -> Path:
    """(Re)write ``<reports>/references.html`` atomically (temporary file, then rename)."""
    reports.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".references.", suffix=".html.tmp", dir=reports)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(render_references_page())
    os.chmod(tmp, 0o644)
    target = reports / references.PAGE
    os.replace(tmp, target)
    return target
