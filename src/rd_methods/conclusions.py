"""« Ce qu'il faut retenir »: plain French sentences built from a campaign's recorded results.

The campaign index and the impact report open with a few sentences a director or a funder
can read in a minute. Each sentence is generated from the recorded results (the table of
:func:`rd_methods.results.collect` or :func:`rd_methods.synthesis.from_results_json`):
nothing is recomputed, every number goes through :mod:`rd_methods.formats`, and each
sentence comes with its caveat in plain text and the page it comes from.

The wording follows the evidence standards of ``docs/architecture.md``:

* an effect is stated only when its interval excludes the no-effect value; otherwise the
  sentence says the estimate « ne se distingue pas » of it, which is not evidence of absence;
* a survey score is said to have progressed only when its interval is above zero *and* its
  multiplicity-adjusted (Holm) p-value is at most :data:`rd_methods.synthesis.ADJUSTED_ALPHA`;
* the strength of each link of the contribution chain is the one the synthesis recorded
  (``synthesis.link_*``), never re-rated here;
* the caveat names a rival explanation that no test addressed
  (:data:`rd_methods.synthesis.ALTERNATIVES` with no key), and the interval's own note.

:func:`format_result_value` is the one way a recorded result is written on the site (index,
report): shares as percentages, p-values « < 0,001 », and a band that is a reference (null
model, random networks) rather than an interval around the value is called « référence ».
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from rd_methods import formats as fr
from rd_methods import synthesis

__all__ = [
    "CONCLUSION_COLUMNS",
    "MAX_CONCLUSIONS",
    "key_messages",
    "format_result_value",
    "result_formatter",
    "is_share",
    "is_p_value",
    "is_reference_band",
]

CONCLUSION_COLUMNS = ["order", "topic", "key", "sentence", "caveat", "notebook", "href"]
MAX_CONCLUSIONS = 5

_SHARE_UNITS = {"part", "share", "proportion"}
_SHARE_KEY = re.compile(r"(share|_rate$|^prob_|conversion|^cif_|retention)")
_YEAR_KEY = re.compile(r"(^|_)year($|_)")
_P_KEY = re.compile(r"(^p_|_p$|_p_min$|_min_p$|equivalence_p$|^p_adjusted)")
#: words in a result's note that mark its band as a reference band, not an interval around the value
_REFERENCE_NOTE = re.compile(r"pas un intervalle de confiance|modèle nul|réseaux aléatoires|bande de référence",
                             re.IGNORECASE)


# --------------------------------------------------------------------------- one value
def _finite(v: Any) -> float | None:
    if v is None or isinstance(v, (str, bool)):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _name(key: str) -> str:
    return str(key).split(".", 1)[-1]


def is_share(key: str, unit: Any = None, value: Any = None) -> bool:
    """True when the recorded value is a share between 0 and 1 (shown as a percentage).

    >>> is_share("economic_model.subsidy_share_last", None, 0.55), is_share("sroi.discount_rate", "part", 0.032)
    (True, True)
    >>> is_share("network.n_actors_last", "acteurs", 658), is_share("economic_model.hhi_last", None, 0.13)
    (False, False)
    """
    v = _finite(value)
    if v is None or not -1.0 <= v <= 1.0:
        return False
    if isinstance(unit, str) and unit.strip().lower() in _SHARE_UNITS:
        return True
    if isinstance(unit, str) and unit.strip():
        return False
    return bool(_SHARE_KEY.search(_name(key)))


def is_p_value(key: str) -> bool:
    """True for a recorded p-value (``…_p``, ``p_adjusted_…``), shown with :func:`formats.format_p`.

    >>> is_p_value("counterfactual.placebo_space_p"), is_p_value("survey.p_adjusted_change_trust")
    (True, True)
    >>> is_p_value("sroi.payback_years")
    False
    """
    return bool(_P_KEY.search(_name(key)))


def is_reference_band(key: str, value: Any, low: Any, high: Any, note: Any = None) -> bool:
    """True when the band recorded with a result is a reference band, not an interval.

    A band is a reference when the evidence plan compares the value to it
    (``beyond_baseline`` in :data:`rd_methods.synthesis.EVIDENCE`), when its note says so
    (« pas un intervalle de confiance », null model, random networks), or when the value
    lies outside it (an interval always holds its estimate).

    >>> is_reference_band("network.dependence_giant_share_drop", 0.099, 0.100, 0.116)
    True
    >>> is_reference_band("sroi.ratio", 0.52, 0.37, 0.76, "intervalle à 95 %")
    False
    """
    if any(e.key == key and e.rule == "beyond_baseline" for e in synthesis.EVIDENCE):
        return True
    if isinstance(note, str) and _REFERENCE_NOTE.search(note):
        return True
    v, lo, hi = _finite(value), _finite(low), _finite(high)
    return v is not None and lo is not None and hi is not None and not (lo <= v <= hi)


def result_formatter(key: str, unit: Any = None, value: Any = None) -> Callable[[Any], str]:
    """The function that formats this result's value and bounds the way the site shows them."""
    if is_p_value(key):
        return fr.format_p
    if is_share(key, unit, value):
        v = _finite(value)
        digits = 0 if v is None else 2 if 0.99 < abs(v) < 1 else 1 if abs(v) < 0.1 else 0
        return lambda x: fr.format_pct(x, digits)
    if _YEAR_KEY.search(_name(key)):
        return lambda x: str(int(x)) if _finite(x) is not None and float(x).is_integer() else fr.format_number(x)
    v = _finite(value)
    if v is None or (float(v).is_integer() and not isinstance(value, float)):
        return fr.format_number
    # one precision for the value and its bounds: 2 decimals (3 below 0,1, fewer for large values)
    digits = 3 if abs(v) < 0.1 else 2 if abs(v) < 100 else 1 if abs(v) < 10_000 else 0
    return lambda x: fr.format_number(x, digits)


def format_result_value(key: str, value: Any, unit: Any = None, low: Any = None, high: Any = None,
                        note: Any = None) -> str:
    """A recorded result as the site writes it: value, unit, then its interval or reference band.

    Examples
    --------
    >>> format_result_value("sroi.ratio", 0.5222, "€ par € investi", 0.3717, 0.7595)
    '0,52\\xa0€ par € investi (intervalle\\xa0: [0,37\\xa0; 0,76])'
    >>> format_result_value("pipeline.conversion_idea_to_launched", 0.2045, None, 0.1446, 0.2812)
    '20\\xa0% (intervalle\\xa0: [14\\xa0%\\xa0; 28\\xa0%])'
    >>> format_result_value("network.dependence_giant_share_drop", 0.0989, None, 0.1005, 0.1157)
    '9,9\\xa0% (référence\\xa0: [10,0\\xa0%\\xa0; 11,6\\xa0%])'
    >>> format_result_value("synthesis.link_territory", "strong")
    'forte'
    """
    if isinstance(value, bool):
        text = "oui" if value else "non"
    elif isinstance(value, str):
        text = synthesis.STRENGTH_LABELS.get(value, value) if str(key).startswith("synthesis.link_") else value
    else:
        fmt = result_formatter(key, unit, value)
        text = fmt(value)
        if isinstance(unit, str) and unit.strip() and not is_share(key, unit, value) and text != fr.MISSING:
            text += f"\u00a0{unit.strip()}"
        lo, hi = _finite(low), _finite(high)
        if lo is not None or hi is not None:
            word = "référence" if is_reference_band(key, value, low, high, note) else "intervalle"
            text += f" ({word}\u00a0: {fr.format_interval(low, high, formatter=fmt)})"
    return text


# --------------------------------------------------------------------------- the sentences
class _Results:
    """Recorded results by key (first occurrence), with small typed accessors."""

    def __init__(self, results: pd.DataFrame):
        if not isinstance(results, pd.DataFrame) or "key" not in results.columns or "value" not in results.columns:
            raise ValueError("results must be a table of recorded results with at least the columns key and value "
                             "(rd_methods.results.collect or rd_methods.synthesis.from_results_json)")
        self.rows: dict[str, dict[str, Any]] = {}
        for row in results.to_dict("records"):
            self.rows.setdefault(str(row["key"]), row)

    def has(self, key: str) -> bool:
        return key in self.rows and self.rows[key].get("value") is not None and not (
            isinstance(self.rows[key]["value"], float) and math.isnan(self.rows[key]["value"]))

    def value(self, key: str) -> Any:
        return self.rows[key]["value"] if self.has(key) else None

    def num(self, key: str) -> float | None:
        return _finite(self.value(key))

    def ci(self, key: str) -> tuple[float | None, float | None]:
        row = self.rows.get(key, {})
        return _finite(row.get("ci_low")), _finite(row.get("ci_high"))

    def text(self, key: str, field: str) -> str:
        v = self.rows.get(key, {}).get(field)
        return v.strip() if isinstance(v, str) else ""

    def notebook(self, key: str, default: str) -> str:
        return self.text(key, "notebook") or default

    def interval(self, key: str) -> str:
        """« intervalle : [a ; b] » as the site writes it, or '' without an interval."""
        lo, hi = self.ci(key)
        if lo is None or hi is None:
            return ""
        fmt = result_formatter(key, self.rows[key].get("unit"), self.value(key))
        return f"intervalle\u00a0: {fr.format_interval(lo, hi, formatter=fmt)}"

    def shown(self, key: str) -> str:
        """The value alone (with its unit) as the site writes it."""
        row = self.rows[key]
        return format_result_value(key, row.get("value"), row.get("unit"))


def _untested(link: str) -> list[str]:
    """Rival explanations of a link that no recorded test addresses (French sentences)."""
    return [text for lk, text, keys in synthesis.ALTERNATIVES if lk == link and not keys]


def _rating(res: _Results, link: str) -> str | None:
    value = res.value(f"synthesis.link_{link}")
    return synthesis.STRENGTH_LABELS.get(value, value) if isinstance(value, str) else None


def _note(res: _Results, key: str) -> str:
    note = res.text(key, "note").rstrip(" .")
    return note[0].upper() + note[1:] if note else ""


def _join(*parts: str) -> str:
    kept = [p.strip().rstrip(".") for p in parts if p and p.strip()]
    return ". ".join(kept) + "." if kept else ""


def _rival(link: str) -> str:
    rivals = _untested(link)
    return f"Explication non testée : « {rivals[0].rstrip('.')} »" if rivals else ""


def _territory(res: _Results) -> dict[str, str] | None:
    key = next((k for k in ("counterfactual.did_estimate", "counterfactual.synth_att",
                            "counterfactual.staggered_att") if res.has(k)), None)
    if key is None:
        return None
    v = res.num(key)
    lo, hi = res.ci(key)
    unit = res.text(key, "unit")
    size = fr.format_number(abs(v)) + (f"\u00a0{unit}" if unit else "")
    interval = res.interval(key)
    if lo is not None and lo > 0:
        sentence = (f"Depuis le démarrage, l'emploi a progressé plus vite dans le territoire d'action que dans "
                    f"des territoires comparables : {size} de plus ({interval}).")
    elif hi is not None and hi < 0:
        sentence = (f"Depuis le démarrage, l'emploi a progressé moins vite dans le territoire d'action que dans "
                    f"des territoires comparables : {size} de moins ({interval}).")
    else:
        sentence = (f"L'écart d'emploi entre le territoire d'action et des territoires comparables "
                    f"({fr.format_number(v)}{' ' + unit if unit else ''}"
                    f"{' ; ' + interval if interval else ''}) ne se distingue pas de zéro : ce n'est pas "
                    f"une preuve d'absence d'effet.")
    rating = _rating(res, "territory")
    if rating:
        sentence = sentence[:-1] + f" ; la synthèse juge le lien avec l'action de la structure « {rating} »."
    return {"topic": "territory", "key": key, "sentence": sentence,
            "caveat": _join(_note(res, key), _rival("territory")),
            "notebook": res.notebook(key, "50_territorial_effects")}


def _chain(res: _Results) -> dict[str, str] | None:
    rated = [(link, _rating(res, link.id), res.value(f"synthesis.link_{link.id}")) for link in synthesis.LINKS]
    rated = [r for r in rated if r[1]]
    if not rated:
        return None
    strong = sum(code == "strong" for _, _, code in rated)
    parts = " ; ".join(f"{link.source} → {link.target} : {label}" for link, label, _ in rated)
    how_many = ("aucun n'est fortement étayé" if strong == 0 else
                f"{fr.format_number(strong)} {'est fortement étayé' if strong < 2 else 'sont fortement étayés'}")
    sentence = f"Sur {fr.plural(len(rated), 'maillon')} de la chaîne de contribution, {how_many} ({parts})."
    weakest = max((code for _, _, code in rated), key=lambda c: synthesis.STRENGTH_ORDER.index(c)
                  if c in synthesis.STRENGTH_ORDER else -1)
    rule = dict(synthesis.STRENGTH_RULES).get(weakest, "")
    label = synthesis.STRENGTH_LABELS.get(weakest, weakest)
    caveat = _join(f"« {label.capitalize()} » veut dire : {rule}" if rule else "",
                   "Un test qui ne rejette pas n'est jamais compté comme une preuve")
    return {"topic": "synthesis", "key": f"synthesis.link_{rated[0][0].id}", "sentence": sentence,
            "caveat": caveat, "notebook": res.notebook(f"synthesis.link_{rated[0][0].id}", "90_synthesis")}


def _sroi(res: _Results) -> dict[str, str] | None:
    key = "sroi.ratio"
    if not res.has(key):
        return None
    lo, hi = res.ci(key)
    interval = res.interval(key)
    shown = res.shown(key)
    if lo is not None and lo > 1:
        verdict = "la valeur sociale estimée dépasse les ressources investies"
    elif hi is not None and hi < 1:
        verdict = "la valeur sociale estimée reste inférieure aux ressources investies"
    else:
        verdict = "on ne peut pas dire si la valeur sociale estimée dépasse les ressources investies"
    sentence = f"Retour social sur investissement (SROI) : {shown}{' (' + interval + ')' if interval else ''} ; {verdict}."
    covers = _note(res, key)
    first, last = res.num("sroi.period_first_year"), res.num("sroi.period_last_year")
    period = (f"Il compte les ressources et les résultats de {fr.format_number(first, 0)} à "
              f"{fr.format_number(last, 0)}" if first is not None and last is not None and not covers else "")
    top = res.value("sroi.sobol_top_parameter")
    top_text = f"L'hypothèse qui pèse le plus sur le ratio : {top}" if isinstance(top, str) and top else ""
    caveat = _join(f"Ce que couvre le ratio : {covers[0].lower() + covers[1:]}" if covers else period,
                   "Les valeurs monétaires des résultats sont des valeurs de référence estimées, pas des prix "
                   "observés", top_text)
    return {"topic": "sroi", "key": key, "sentence": sentence, "caveat": caveat,
            "notebook": res.notebook(key, "60_sroi")}


def _pipeline(res: _Results) -> dict[str, str] | None:
    if not (res.has("pipeline.n_launched") and res.has("pipeline.n_ideas")):
        return None
    launched, ideas = res.num("pipeline.n_launched"), res.num("pipeline.n_ideas")
    sentence = (f"{fr.format_number(launched)} des {fr.plural(ideas, 'idée')} de projets "
                f"{'a abouti' if launched is not None and launched < 2 else 'ont abouti'} à un lancement")
    key = "pipeline.conversion_idea_to_launched"
    if res.has(key):
        interval = res.interval(key)
        sentence += f" ({res.shown(key)}{' ; ' + interval if interval else ''})"
    jobs = next((k for k in ("pipeline.jobs_fte_last_year", "value_chain.jobs_fte_last_year") if res.has(k)), None)
    if jobs:
        sentence += f" ; les activités lancées emploient {res.shown(jobs)} la dernière année"
    sentence += "."
    rating = _rating(res, "launch")
    caveat = _join(_note(res, key) if res.has(key) else "",
                   "Les emplois sont comptés, pas attribués : sans comparaison, ils ne sont pas tous dus à la structure",
                   f"La synthèse juge le maillon Projets → Activités « {rating} »" if rating else "",
                   _rival("launch"))
    return {"topic": "pipeline", "key": "pipeline.n_launched", "sentence": sentence, "caveat": caveat,
            "notebook": res.notebook("pipeline.n_launched", "30_rd_pipeline")}


def _scale(res: _Results, key: str) -> str:
    label = res.text(key, "label")
    name = label.split("—", 1)[1].strip() if "—" in label else _name(key).removeprefix("change_").replace("_", " ")
    return name[:1].lower() + name[1:]


def _of(name: str) -> str:
    """« de coopération », « d'appartenance » (elision before a vowel or a mute h)."""
    return f"d'{name}" if name[:1].lower() in "aeiouyéèêàâîôûh" else f"de {name}"


def _survey(res: _Results) -> dict[str, str] | None:
    keys = sorted(k for k in res.rows if k.startswith("survey.change_") and res.has(k))
    if not keys:
        return None
    up, down, flat = [], [], []
    for key in keys:
        lo, hi = res.ci(key)
        p = res.num(f"survey.p_adjusted_{_name(key)}")
        shown = f"{_scale(res, key)} ({res.shown(key)}{' ; ' + res.interval(key) if res.interval(key) else ''})"
        significant = p is not None and p <= synthesis.ADJUSTED_ALPHA
        if significant and lo is not None and lo > 0:
            up.append(shown)
        elif significant and hi is not None and hi < 0:
            down.append(shown)
        else:
            flat.append(_scale(res, key))

    def listing(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]

    parts = []
    if up:
        parts.append(f"{'le score' if len(up) == 1 else 'les scores'} {_of(listing(up))} "
                     f"{'a progressé' if len(up) == 1 else 'ont progressé'}")
    if down:
        parts.append(f"{'le score' if len(down) == 1 else 'les scores'} {_of(listing(down))} "
                     f"{'a reculé' if len(down) == 1 else 'ont reculé'}")
    if flat:
        stable = "qu'il soit stable" if len(flat) == 1 else "qu'ils soient stables"
        parts.append(f"la variation {'du score' if len(flat) == 1 else 'des scores'} {_of(listing(flat))} ne se "
                     f"distingue pas de zéro, ce qui ne prouve pas {stable}")
    sentence = "Entre les deux vagues de l'enquête auprès des parties prenantes, " + " ; ".join(parts) + "."
    retention = res.num("survey.retention_rate")
    caveat = _join(_note(res, keys[0]),
                   f"{fr.format_pct(retention)} des répondants de la première vague ont répondu à la seconde"
                   if retention is not None else "",
                   "Variations jugées après correction de Holm sur l'ensemble des échelles",
                   _rival("value"))
    return {"topic": "survey", "key": keys[0], "sentence": sentence, "caveat": caveat,
            "notebook": res.notebook(keys[0], "40_stakeholder_survey")}


def _leverage(res: _Results) -> dict[str, str] | None:
    key = "value_chain.leverage_overall"
    if not res.has(key):
        return None
    sentence = f"Effet levier : les autres acteurs apportent {res.shown(key)} apporté par la structure."
    if not res.text(key, "unit"):
        sentence = f"Effet levier : les autres acteurs apportent {res.shown(key)} euros pour 1 euro de la structure."
    return {"topic": "value_chain", "key": key, "sentence": sentence,
            "caveat": _join(_note(res, key), _rival("mobilisation")),
            "notebook": res.notebook(key, "10_value_chain")}


def _network(res: _Results) -> dict[str, str] | None:
    key = "network.broker_betweenness_rank"
    if not res.has(key):
        return None
    sentence = (f"Dans le réseau des acteurs, la structure est au rang {res.shown(key)} des intermédiaires "
                f"(intermédiarité){' sur ' + res.shown('network.n_actors_last') if res.has('network.n_actors_last') else ''}.")
    return {"topic": "network", "key": key, "sentence": sentence,
            "caveat": _join(_note(res, key), "Être au centre du réseau ne prouve pas que la structure a fait "
                                              "naître les liens"),
            "notebook": res.notebook(key, "20_actor_network")}


#: the sentence builders, in reading order; the first :data:`MAX_CONCLUSIONS` that apply are kept
BUILDERS: tuple[Callable[[_Results], dict[str, str] | None], ...] = (
    _territory, _chain, _sroi, _pipeline, _survey, _leverage, _network,
)


def key_messages(results: pd.DataFrame, limit: int = MAX_CONCLUSIONS) -> pd.DataFrame:
    """The conclusions to read first, as plain French sentences with their caveats.

    Parameters
    ----------
    results : DataFrame
        Recorded results of one campaign (columns ``key, value, label, unit, ci_low,
        ci_high, note, notebook``; :func:`rd_methods.results.collect` or
        :func:`rd_methods.synthesis.from_results_json`).
    limit : int
        At most this many sentences (five by default).

    Returns
    -------
    DataFrame
        One row per sentence, in reading order: ``order`` (1…), ``topic``, ``key`` (the
        main recorded key), ``sentence``, ``caveat`` (plain text, never empty),
        ``notebook`` (the notebook that recorded it) and ``href`` (its public page). A
        topic with no recorded result gives no sentence; a campaign without any gives an
        empty table.

    Examples
    --------
    >>> res = pd.DataFrame({"key": ["sroi.ratio"], "value": [1.9], "unit": ["€ par € investi"],
    ...                     "ci_low": [1.25], "ci_high": [3.1], "note": ["ressources et résultats 2016–2025"],
    ...                     "notebook": ["60_sroi"]})
    >>> row = key_messages(res).iloc[0]
    >>> print(row.sentence.replace("\\xa0", " "))
    Retour social sur investissement (SROI) : 1,90 € par € investi (intervalle : [1,25 ; 3,10]) ; la valeur sociale estimée dépasse les ressources investies.
    >>> row.href
    '60_sroi.html'
    """
    res = _Results(results)
    rows = []
    for build in BUILDERS:
        if len(rows) >= limit:
            break
        row = build(res)
        if row is None:
            continue
        if not row["caveat"]:
            row["caveat"] = "Résultat enregistré sans réserve particulière : voir la page de l'analyse pour sa méthode."
        rows.append(row | {"order": len(rows) + 1, "href": f"{row['notebook']}.html"})
    return pd.DataFrame(rows, columns=CONCLUSION_COLUMNS)
