"""The actor-network page (notebook ``20_actor_network``): its French sentences, tables and figures.

Everything here is built from what :mod:`rd_methods.network` returns; nothing is computed
that a method does not already give. Sentences read right at 0 and 1 (real plural forms,
« aucun »), numbers follow :mod:`rd_methods.formats` with one precision per measure
(:data:`DECIMALS`), tables go through :func:`rd_methods.formats.table` and every figure comes
back with its French alternative text, for :func:`rd_methods.plots.show`.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

from rd_methods import disclosure, plots
from rd_methods import formats as fr
from rd_methods import network as nw

__all__ = [
    "DECIMALS",
    "MEASURE_LABELS",
    "check_parameters",
    "rule_text",
    "data_text",
    "category_table",
    "betweenness_note",
    "network_figure",
    "metrics_text",
    "metrics_figure",
    "metrics_table",
    "broker_text",
    "profile_table",
    "top_table",
    "roles_text",
    "top_roles_table",
    "projection_text",
    "projection_table",
    "brokerage_test_text",
    "brokerage_test_table",
    "dependence_text",
    "dependence_figure",
    "dynamics_text",
    "dynamics_figure",
    "dynamics_table",
]

#: One precision per measure, the same in sentences and tables.
DECIMALS = {"density": 3, "avg_clustering": 2, "betweenness_centralisation": 2, "degree_centralisation": 2,
            "ei_index": 2, "assortativity": 2, "modularity": 2, "betweenness": 3, "eigenvector": 3,
            "effective_size": 1, "constraint": 3, "strength": 1, "jaccard": 2}

#: French names of the network measures.
MEASURE_LABELS = {
    "year": "Année", "nodes": "Acteurs", "edges": "Liens", "density": "Densité", "components": "Composantes",
    "giant_share": "Part de la plus grande composante", "avg_clustering": "Regroupement moyen",
    "betweenness_centralisation": "Centralisation (intermédiarité)", "degree_centralisation": "Centralisation (degré)",
    "ei_index": "Indice E–I (catégories)", "assortativity": "Assortativité", "n_communities": "Communautés",
    "modularity": "Modularité (Louvain)",
}

_ROLE = {"liaison": "liaison", "boundary": "frontière", "itinerant": "itinérant", "coordinator": "coordination"}
_RULE_SHORT = {"clique": "règle clique", "star_large": "règle en étoile", "exclude_large": "sans les grands événements"}
_NULL_TEXT = {"bipartite": "des réseaux où les mêmes événements auraient été fréquentés au hasard",
              "projected": "des réseaux où les liens du réseau projeté ont été permutés au hasard",
              "degree_matched": "le retrait d'acteurs de nombre de liens comparable"}
_DEPENDENCE = {"giant_share": "baisse de la part de la plus grande composante",
               "components": "composantes supplémentaires", "global_efficiency": "baisse de l'efficacité globale"}


def _n(value, measure: str | None = None) -> str:
    return fr.format_number(value, DECIMALS.get(measure, 0) if measure else None)


def _join(words) -> str:
    """« a », « a et b », « a, b et c »."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


def _rank(rank: int) -> str:
    return "1er" if int(rank) == 1 else f"{fr.format_number(int(rank))}e"


def _mc_error(se: float) -> str:
    """The Monte Carlo error of a p-value; « négligeable » rather than « ± 0,000 »."""
    return ("erreur de Monte-Carlo négligeable" if not se >= 0.0005
            else f"erreur de Monte-Carlo ± {fr.format_number(se, 3)}")


def _stopping(row) -> str:
    """« (arrêt séquentiel …) » when the null draws stopped before their maximum (Besag & Clifford 1991)."""
    made, most, h = int(row.get("n_baseline", 0)), int(row.get("max_baseline", 0) or 0), row.get("exceedances")
    if not most or made >= most or not h or not np.isfinite(h):
        return ""
    return (f" (sur {fr.format_number(most)} au plus : les tirages s'arrêtent dès que chaque mesure a été "
            f"atteinte par {fr.format_number(int(h))} réseaux aléatoires, p-valeur séquentielle exacte de "
            "Besag et Clifford, 1991)")


def check_parameters(granularity: str, projection: str, null: str) -> None:
    """Stop with a French message naming the parameter when a choice is unknown."""
    if granularity not in ("year", "cumulative"):
        raise ValueError('granularity doit valoir "year" ou "cumulative"')
    if projection not in nw.PROJECTIONS:
        raise ValueError(f"projection doit valoir l'une de {nw.PROJECTIONS}")
    if null not in nw.NULL_MODELS:
        raise ValueError(f"null doit valoir l'une de {nw.NULL_MODELS}")


def rule_text(projection: str, max_event_size: int | None) -> str:
    """The projection rule in a French phrase."""
    size = fr.format_number(max_event_size or 0)
    return {"clique": "tous les participants d'un événement reliés entre eux",
            "star_large": f"grands événements, de plus de {size} participants, en étoile autour des organisateurs "
                          "et intervenants",
            "exclude_large": f"grands événements, de plus de {size} participants, ignorés"}[projection]


def data_text(events: pd.DataFrame, participations: pd.DataFrame, ties: pd.DataFrame | None,
              graphs: Mapping[int, nx.Graph], *, projection: str, max_event_size: int | None) -> str:
    """What the network is built from, and how many large events the projection rule concerns."""
    years = sorted(graphs)
    size = participations.drop_duplicates(["event_id", "actor_id"]).groupby("event_id").size()
    large = size[size > max_event_size] if max_event_size and projection != "clique" else size.iloc[:0]
    text = (f"Le réseau est construit à partir de {fr.plural(len(events), 'événement')}, de {years[0]} à {years[-1]}, "
            f"et de {fr.plural(len(participations), 'participation')} de "
            f"{fr.plural(participations['actor_id'].nunique(), 'acteur distinct', 'acteurs distincts')}. ")
    if ties is not None and len(ties):
        text += f"La campagne fournit aussi {fr.plural(len(ties), 'lien direct', 'liens directs')} entre acteurs. "
    else:
        text += ("La campagne ne fournit pas de liens directs entre acteurs : le réseau ne repose que sur la "
                 "participation commune aux événements. ")
    text += f"**Règle de projection principale : {rule_text(projection, max_event_size)}.** "
    if len(large):
        pairs = int((large * (large - 1) / 2).sum())
        text += (f"{fr.plural(len(large), 'événement compte', 'événements comptent')} plus de "
                 f"{fr.format_number(max_event_size)} participants, jusqu'à {fr.format_number(int(large.max()))} ; "
                 f"{'il créerait' if len(large) == 1 else 'ils créeraient'} à eux seuls "
                 f"{fr.plural(pairs, 'lien')} si chaque participant était réputé avoir rencontré tous les autres : "
                 "c'est pourquoi le résultat de courtage est montré plus bas sous les trois règles, côte à côte.")
    return text


def category_table(G: nx.Graph, *, min_cell: int, year) -> object:
    """Actors of the network by category, small counts suppressed (« — »)."""
    counts = pd.Series({v: d["category"] for v, d in G.nodes(data=True)}, dtype=object).value_counts()
    frame = pd.DataFrame({"category": [plots.label("category", c) for c in counts.index], "n": counts.to_numpy()})
    frame = disclosure.suppress_small(frame, "n", min_cell=min_cell)
    return fr.table(frame, {"category": "Catégorie", "n": "Acteurs"}, {"n": "int"}).set_caption(
        f"Acteurs du réseau en {year} par catégorie ; les effectifs inférieurs à {min_cell} sont masqués")


def betweenness_note(metrics: pd.DataFrame) -> str:
    """How betweenness was computed in each period (exact or from sampled sources)."""
    sampled = metrics[metrics["betweenness_method"] == "sampled"]
    if not len(sampled):
        return "*Calcul de l'intermédiarité :* exact pour toutes les périodes."
    k_min, k_max = int(sampled["betweenness_k"].min()), int(sampled["betweenness_k"].max())
    sources = fr.plural(k_min, "acteur de départ", "acteurs de départ") if k_min == k_max else \
        f"{fr.format_number(k_min)} à {fr.plural(k_max, 'acteur de départ', 'acteurs de départ')}"
    return (f"*Calcul de l'intermédiarité :* exact jusqu'à {fr.format_number(nw.EXACT_BETWEENNESS_MAX_NODES)} acteurs ; "
            f"au-delà, pour {_join([str(y) for y in sampled['year']])}, il est estimé à partir de {sources} "
            "tirés au hasard, graine fixée (Brandes et Pich 2007).")


def _period(G: nx.Graph, year) -> str:
    first, last = G.graph.get("period") or (year, year)
    return str(year) if first == last else f"{first}–{last}"


def network_figure(graphs: Mapping[int, nx.Graph], organisation, *, seed: int = 0,
                   max_nodes: int = 2000) -> tuple[plt.Figure, str]:
    """The network at its first, middle and last period (:func:`rd_methods.plots.network_map`) and its alt text."""
    years = sorted(graphs)
    shown = sorted({years[0], years[len(years) // 2], years[-1]})
    fig = plots.network_map({_period(graphs[y], y): graphs[y] for y in shown}, organisation, seed=seed,
                            max_nodes=max_nodes, title="Réseau des acteurs : disposition par ressorts, graine fixée")
    first, last = graphs[shown[0]], graphs[shown[-1]]
    alt = (f"Réseau des acteurs en {_join([_period(graphs[y], y) for y in shown])} : de "
           f"{fr.plural(first.number_of_nodes(), 'acteur')} à {fr.plural(last.number_of_nodes(), 'acteur')}, "
           "colorés par catégorie"
           + (", la structure évaluée marquée d'une étoile" if organisation in last else "")
           + (f" ; au-delà de {fr.format_number(max_nodes)} acteurs, seuls les plus connectés sont dessinés"
              if any(graphs[y].number_of_nodes() > max_nodes for y in shown) else "") + ".")
    return fig, alt


def _trend(a: float, b: float) -> str:
    return "en hausse" if b > a else "en baisse" if b < a else "stable"


def metrics_text(metrics: pd.DataFrame) -> str:
    """The last period's network in a paragraph (size, density, E–I, centralisation, communities)."""
    first, last = metrics.iloc[0], metrics.iloc[-1]
    ei, central = last["ei_index"], last["betweenness_centralisation"]
    return (f"Le réseau compte {fr.plural(int(last['nodes']), 'acteur')} et {fr.plural(int(last['edges']), 'lien')} "
            f"en {int(last['year'])}, contre {fr.plural(int(first['nodes']), 'acteur')} en {int(first['year'])}. "
            f"Sa densité est {_trend(first['density'], last['density'])}, de {_n(first['density'], 'density')} à "
            f"{_n(last['density'], 'density')} ; la plus grande composante réunit {fr.format_pct(last['giant_share'])} "
            f"des acteurs. L'indice E–I vaut {_n(ei, 'ei_index')} : "
            + ("la majorité des liens relient des catégories différentes. " if ei > 0
               else "la majorité des liens restent internes aux catégories. ")
            + f"La centralisation de l'intermédiarité, {_n(central, 'betweenness_centralisation')}, "
            + ("indique un réseau organisé autour d'un centre. " if central > 0.5
               else "indique un réseau peu organisé autour d'un seul centre. ")
            + f"L'algorithme de Louvain y trouve {fr.plural(int(last['n_communities']), 'communauté')}, "
              f"de modularité {_n(last['modularity'], 'modularity')}.")


_PANEL_TITLES = {"giant_share": "Plus grande composante", "betweenness_centralisation": "Centralisation (interm.)"}

_PANELS = [("nodes", "int"), ("density", "number"), ("giant_share", "pct"), ("avg_clustering", "number"),
           ("betweenness_centralisation", "number"), ("degree_centralisation", "number"), ("ei_index", "number"),
           ("modularity", "number")]


def metrics_figure(metrics: pd.DataFrame, granularity: str = "year") -> tuple[plt.Figure, str]:
    """Eight small panels, one measure each over the periods, and the alt text."""
    years = metrics["year"].tolist()
    fig, axes = plt.subplots(2, 4, figsize=(10, 5.2), sharex=True)
    for ax, (col, kind) in zip(axes.ravel(), _PANELS, strict=True):
        ax.plot(metrics["year"], metrics[col], marker="o")
        ax.set_title(_PANEL_TITLES.get(col, MEASURE_LABELS[col]), fontsize=9)
        if col == "giant_share":
            ax.set_ylim(0, 1.05)
        plots.french_axis(ax, "y", kind)
        ax.set_xticks(years[:: max(1, len(years) // 4)])
        ax.tick_params(labelsize=8)
    fig.suptitle("Indicateurs du réseau par " + ("année" if granularity == "year" else "période cumulée"),
                 x=0.02, ha="left", fontweight="bold")
    fig.tight_layout()
    first, last = metrics.iloc[0], metrics.iloc[-1]
    alt = (f"Huit indicateurs du réseau de {int(first['year'])} à {int(last['year'])} : les acteurs passent de "
           f"{fr.format_number(int(first['nodes']))} à {fr.format_number(int(last['nodes']))}, la densité de "
           f"{_n(first['density'], 'density')} à {_n(last['density'], 'density')} et l'indice E–I de "
           f"{_n(first['ei_index'], 'ei_index')} à {_n(last['ei_index'], 'ei_index')}.")
    return fig, alt


def metrics_table(metrics: pd.DataFrame) -> object:
    """The measures of every period, French labels and precisions."""
    columns = {c: MEASURE_LABELS[c] for c in ["year", "nodes", "edges", "density", "giant_share",
                                              "avg_clustering", "betweenness_centralisation", "ei_index",
                                              "assortativity", "n_communities", "modularity"]}
    columns["giant_share"] = "Plus grande composante"
    formats = {c: (lambda v, c=c: _n(v, c)) for c in DECIMALS if c in columns}
    formats |= {"year": lambda v: str(int(v)), "giant_share": "pct", "nodes": "int", "edges": "int",
                "n_communities": "int"}
    return fr.table(metrics, columns, formats)


def broker_text(profile: pd.DataFrame, name: str, year) -> str:
    """The structure's broker profile in a paragraph."""
    p = profile.set_index("measure")
    n_nodes = int(p["n_nodes"].iloc[0])
    deg_rank, rank = int(p.loc["degree", "rank"]), int(p.loc["betweenness", "rank"])
    return (f"En {year}, **{name}** a {fr.plural(int(p.loc['degree', 'value']), 'partenaire direct', 'partenaires directs')}, "
            + ("le plus grand nombre" if deg_rank == 1 else f"au {_rank(deg_rank)} rang")
            + f" sur {fr.format_number(n_nodes)} acteurs. Son intermédiarité, {_n(p.loc['betweenness', 'value'], 'betweenness')}, "
              "part des plus courts chemins entre deux autres acteurs qui passent par elle, la place "
            + ("**au premier rang**. " if rank == 1 else f"au {_rank(rank)} rang. ")
            + f"{fr.format_pct(p.loc['cross_share', 'value'])} de ses liens la relient à une autre catégorie que la "
              f"sienne, et elle touche {fr.plural(int(p.loc['groups_reached', 'value']), 'catégorie')} d'acteurs. "
              f"Sa taille effective de Burt, {_n(p.loc['effective_size', 'value'], 'effective_size')}, et sa contrainte, "
              f"{_n(p.loc['constraint', 'value'], 'constraint')}, disent si ses partenaires sont liés entre eux "
              "(contrainte forte) ou si elle seule les relie (contrainte faible).")


_PROFILE_LABELS = {"degree": "Degré (partenaires)", "strength": "Force (somme des poids)",
                   "betweenness": "Intermédiarité", "eigenvector": "Vecteur propre",
                   "effective_size": "Taille effective (Burt)", "constraint": "Contrainte (Burt)",
                   "cross_share": "Part des liens vers une autre catégorie", "groups_reached": "Catégories atteintes"}


def profile_table(profile: pd.DataFrame) -> object:
    """The broker profile: measure, value and rank among the actors."""
    shown = profile.assign(
        label=profile["measure"].map(_PROFILE_LABELS),
        shown=[fr.format_pct(v) if m == "cross_share" else _n(v, m) for m, v in
               zip(profile["measure"], profile["value"], strict=True)])
    return fr.table(shown, {"label": "Mesure", "shown": "Valeur", "rank": "Rang"}, {"rank": "int"})


def top_table(top: pd.DataFrame, year) -> object:
    """The most central actors (:func:`rd_methods.network.top_actors`), pseudonyms for people."""
    shown = top.assign(category=[plots.label("category", c) for c in top["category"]])
    return fr.table(shown, {"rank": "Rang", "display_name": "Acteur", "category": "Catégorie",
                            "value": "Intermédiarité"}, {"value": lambda v: _n(v, "betweenness")}).set_caption(
        f"Les {fr.format_number(len(top))} acteurs les plus intermédiaires en {year} ; les personnes sont pseudonymisées")


def roles_text(roles: pd.DataFrame, organisation, year) -> str:
    """Gould & Fernandez roles of the structure: its open two-paths by role, as shares."""
    ranked = roles.assign(rank=roles["total"].rank(ascending=False, method="min").astype(int))
    r = ranked.set_index("actor_id").loc[organisation]
    total = int(r["total"])
    if not total:
        return (f"**Rôles de courtage (Gould et Fernandez).** En {year}, la structure ne se trouve au milieu d'aucune "
                "paire d'acteurs non liés entre eux.")
    share = {k: fr.format_pct(r[k] / total) for k in nw.BROKERAGE_ROLES}
    return (f"**Rôles de courtage (Gould et Fernandez).** En {year}, la structure se trouve au milieu de "
            f"{fr.plural(total, 'paire')} d'acteurs qui ne sont pas liés entre eux, au {_rank(r['rank'])} rang sur "
            f"{fr.format_number(len(roles))} : {share['liaison']} relient deux catégories différentes de la sienne "
            f"(liaison), {share['boundary']} sa catégorie à une autre (frontière), {share['itinerant']} deux acteurs "
            f"d'une même autre catégorie (itinérant) et {share['coordinator']} des acteurs de sa propre catégorie "
            "(coordination).")


def top_roles_table(roles: pd.DataFrame, G: nx.Graph, year, k: int = 5) -> object:
    """The ``k`` actors in the middle of the most open two-paths, by role."""
    top = roles.sort_values(["total", "actor_id"], ascending=[False, True]).head(k)
    top = top.assign(name=[G.nodes[a]["display_name"] for a in top["actor_id"]],
                     category=[plots.label("category", c) for c in top["group"]])
    columns = {"name": "Acteur", "category": "Catégorie", "coordinator": "Coordination", "itinerant": "Itinérant",
               "boundary": "Frontière", "liaison": "Liaison", "total": "Total"}
    return fr.table(top, columns, {c: "int" for c in ["coordinator", "itinerant", "boundary", "liaison", "total"]}
                    ).set_caption(f"Les {fr.format_number(len(top))} acteurs qui relient le plus de paires non liées "
                                  f"en {year}, chemins ouverts par rôle")


def projection_text(comparison: pd.DataFrame, two_mode: pd.DataFrame, year) -> str:
    """Is the structure the first broker under every projection rule? With the two-mode facts."""
    c = comparison.set_index("projection")
    ranks = c["betweenness_rank"].astype(int)
    t = two_mode.set_index("measure")["value"]
    text = (f"En {year}, l'intermédiarité de la structure vaut "
            + _join([f"{_n(c.loc[r, 'betweenness'], 'betweenness')} sous la règle « "
                     f"{nw.PROJECTION_SHORT[r]} », au {_rank(ranks[r])} rang" for r in c.index]) + ". ")
    if bool((ranks == 1).all()):
        text += ("**Elle est le premier courtier du réseau sous les trois règles** : ce résultat ne vient pas de la "
                 "façon de projeter les grands événements, même si la règle en étoile en gonfle la valeur. ")
    else:
        text += ("**Son rang dépend de la règle de projection** : le rôle de courtier doit se lire avec cette "
                 "convention, et n'est pas établi indépendamment d'elle. ")
    return text + (f"Dans les données à deux modes, qui ne dépendent d'aucune règle, elle a suivi "
                   f"{fr.plural(int(t['events']), 'événement')} de l'année, soit {fr.format_pct(t['share_of_events'])}, "
                   f"dont {fr.format_number(int(t['events_as_hub']))} comme organisatrice ou intervenante, et y a "
                   f"rencontré {fr.plural(int(t['co_participants']), 'acteur')} de "
                   f"{fr.plural(int(t['groups_met']), 'catégorie')} ; {fr.format_pct(t['mixed_events'])} de ses "
                   "événements réunissent au moins trois catégories.")


def projection_table(comparison: pd.DataFrame) -> object:
    """The structure's position under each projection rule."""
    shown = comparison.assign(rule=comparison["projection"].map(nw.PROJECTION_LABELS))
    columns = {"rule": "Règle", "n_ties": "Liens", "degree": "Degré", "degree_rank": "Rang (degré)",
               "betweenness": "Intermédiarité", "betweenness_rank": "Rang (intermédiarité)",
               "brokerage_total_rank": "Rang (courtage G&F)"}
    return fr.table(shown, columns, {"betweenness": lambda v: _n(v, "betweenness"),
                                     **{c: "int" for c in columns if c not in ("rule", "betweenness")}})


def _draws_per_rule(tests: pd.DataFrame, n_null: int) -> str:
    """« 50 tirages par règle », or the range made when the sequential rule stopped early."""
    made = tests.groupby("projection")["n_null"].first() if "n_null" in tests else pd.Series([n_null])
    if (made >= n_null).all():
        return f"{fr.plural(n_null, 'tirage')} par règle"
    h = tests["exceedances"].dropna()
    span = (fr.plural(int(made.min()), "tirage") if made.min() == made.max()
            else f"de {fr.format_number(int(made.min()))} à {fr.plural(int(made.max()), 'tirage')}")
    return (f"{span} par règle, sur {fr.format_number(n_null)} au plus (les tirages s'arrêtent dès que chaque nombre "
            f"observé a été atteint par {fr.format_number(int(h.iloc[0]) if len(h) else 0)} réseaux aléatoires, "
            "p-valeur séquentielle exacte de Besag et Clifford, 1991)")


def brokerage_test_text(tests: pd.DataFrame, n_null: int) -> str:
    """Does the structure link categories more than the same events attended at random, under each rule?"""
    cross = tests[tests["role"].isin(["liaison", "boundary", "itinerant"])]
    above = cross[cross["observed"] > cross["null_high"]]
    below = cross[cross["observed"] < cross["null_low"]]
    everywhere = [r for r in ("boundary", "itinerant", "liaison")
                  if (tests.loc[tests["role"] == r, "observed"] > tests.loc[tests["role"] == r, "null_high"]).all()]
    text = ("**La structure relie-t-elle des catégories qui, sans elle, ne se rencontreraient pas ?** On compare ses "
            "chemins ouverts entre catégories, les rôles de Gould et Fernandez, à ceux qu'elle aurait si les mêmes "
            f"événements avaient été fréquentés au hasard : {_draws_per_rule(tests, n_null)}, plus petite "
            f"p possible {fr.format_number(1 / (n_null + 1), 3)}. ")
    if everywhere:
        return text + ("Sous les trois règles, elle a plus de chemins de type "
                       + _join([_ROLE[r] for r in everywhere])
                       + " que dans ces réseaux aléatoires : son rôle de pont entre catégories ne tient ni à la règle "
                         "de projection ni au nombre d'événements qu'elle suit.")
    if len(above):
        text += ("Elle en a plus que le hasard pour "
                 + _join([f"{_ROLE[r]} ({_RULE_SHORT[p]})" for r, p in zip(above["role"], above["projection"], strict=True)]))
        if len(below):
            text += (", mais moins pour "
                     + _join([f"{_ROLE[r]} ({_RULE_SHORT[p]})" for r, p in zip(below["role"], below["projection"], strict=True)]))
        return text + (". **Le résultat dépend de la règle de projection** : ces données ne montrent pas de façon "
                       "robuste qu'elle relie des catégories qui se rencontreraient moins sans elle ; sa position "
                       "centrale s'explique d'abord par sa présence à presque tous les événements.")
    return text + ("Sous aucune règle elle n'a plus de chemins entre catégories que dans ces réseaux aléatoires : sa "
                   "position de courtier s'explique par sa présence aux événements, pas par un rôle de pont démontré "
                   "(absence de preuve, pas preuve d'absence).")


def brokerage_test_table(tests: pd.DataFrame) -> object:
    """Observed two-paths by role and rule, with the random networks' 95 % reference band."""
    role = {**{k: v.capitalize() for k, v in _ROLE.items()}, "total": "Total"}
    shown = tests.assign(rule=tests["projection"].map(nw.PROJECTION_LABELS), role_fr=tests["role"].map(role))
    columns = {"rule": "Règle", "role_fr": "Rôle", "observed": "Observé", "null_low": "Hasard, 2,5 %",
               "null_high": "Hasard, 97,5 %", "p_value": "p, observé plus grand"}
    return fr.table(shown, columns, {"observed": "int", "null_low": "int", "null_high": "int", "p_value": "p"})


def dependence_text(dependence: pd.DataFrame, matched: pd.DataFrame | None, null: str, year) -> str:
    """What the network would become without the structure, against the null model's reference band."""
    d = dependence.set_index("measure")
    g = d.loc["giant_share"]
    text = (f"Sans la structure, la plus grande composante du réseau de {year} passe de "
            f"{fr.format_pct(g['with_node'], 1)} à {fr.format_pct(g['without_node'], 1)} des acteurs restants et le "
            f"réseau compte {fr.plural(int(d.loc['components', 'without_node']), 'composante')} au lieu de "
            f"{fr.format_number(int(d.loc['components', 'with_node']))}. ")
    if not bool(g["comparable"]):
        text += str(g["note"]) + " "
    else:
        ok = dependence["comparable"].astype(bool)
        above = dependence.loc[ok & (dependence["estimate"] > dependence["baseline_high"]), "measure"].map(_DEPENDENCE).tolist()
        below = dependence.loc[ok & (dependence["estimate"] < dependence["baseline_low"]), "measure"].map(_DEPENDENCE).tolist()
        high = 100 * g["baseline_high"]
        text += (f"Dans {_NULL_TEXT[null]}, soit {fr.plural(int(g['n_baseline']), 'tirage')}{_stopping(g)}, le même retrait fait "
                 f"baisser cette part de {fr.format_number(100 * g['baseline_low'], 1)} à "
                 f"{fr.plural(high, 'point', decimals=1)} de pourcentage pour 95 % des tirages, contre "
                 f"{fr.plural(100 * g['estimate'], 'point', decimals=1)} dans le réseau observé : "
                 f"{fr.p_clause(g['p_value'])} unilatérale, {_mc_error(g['p_mc_se'])}, "
                 f"plus petite p possible {fr.format_number(g['min_p'], 3)}. ")
        if above:
            text += ("La perte due à la structure dépasse cette référence pour : " + " ; ".join(above)
                     + ". Le réseau dépend d'elle au-delà de ce qu'expliquent les événements qu'elle suit. ")
        if below:
            text += ("Elle est au contraire **plus faible** que dans ces réseaux aléatoires pour : " + " ; ".join(below)
                     + ". Le réseau observé tient donc un peu mieux sans elle que si les mêmes événements avaient été "
                     "fréquentés au hasard : la dépendance mesurée vient de sa présence à presque tous les événements, "
                     "pas d'un rôle de pont entre des mondes qui, sans elle, ne se rencontreraient pas. ")
        if not above and not below:
            text += ("La perte due à la structure reste dans la référence des réseaux aléatoires : ce test ne montre pas "
                     "que le réseau dépende d'elle au-delà de ce qu'expliquent les événements qu'elle suit "
                     "(absence de preuve, pas preuve d'absence). ")
    if matched is not None and not bool(matched["comparable"].iloc[0]):
        note = str(matched["note"].iloc[0])
        text += "Une comparaison à des acteurs « de degré comparable » n'est pas possible : " + note[0].lower() + note[1:] + " "
    if dependence["efficiency_method"].iloc[0] != "exact":
        text += (f"L'efficacité globale est calculée depuis un échantillon fixe de "
                 f"{fr.format_number(nw.EXACT_EFFICIENCY_MAX_NODES)} acteurs de départ.")
    return text.strip()


_DEP_AXES = {"giant_share": ("Plus grande composante :\nbaisse, en points", 100.0),
             "components": ("Composantes :\nhausse", 1.0), "global_efficiency": ("Efficacité globale :\nbaisse", 1.0)}


def dependence_figure(dependence: pd.DataFrame, null: str, year) -> tuple[plt.Figure, str]:
    """The loss caused by removing the structure, against the null model's 95 % reference band."""
    d = dependence.set_index("measure")
    band = {"bipartite": "Mêmes événements, participations au hasard : 95 % des tirages",
            "projected": "Liens permutés au hasard : 95 % des tirages",
            "degree_matched": "Acteurs de degré comparable : 95 % des retraits"}[null]
    fig, axes = plt.subplots(1, len(d), figsize=(10, 3.2))
    for ax, (measure, row) in zip(np.atleast_1d(axes), d.iterrows(), strict=True):
        title, scale = _DEP_AXES[measure]
        ax.hlines(0, scale * row["baseline_low"], scale * row["baseline_high"], color="0.5", lw=6, label=band)
        ax.plot([scale * row["baseline_mean"]], [0], marker="|", ms=14, color="0.3", ls="", label="Moyenne des tirages")
        ax.plot([scale * row["estimate"]], [0], marker="*", ms=16, color="black", ls="", label="Structure, observé")
        ax.set_yticks([])
        ax.set_title(title, fontsize=9)
        plots.french_axis(ax, "x", "number")
    fig.subplots_adjust(bottom=0.32, wspace=0.3)
    handles, labels = np.atleast_1d(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.0), ncol=3)
    fig.suptitle(f"Perte causée par le retrait de la structure, {year}", x=0.02, y=1.08, ha="left", fontweight="bold")
    g = d.loc["giant_share"]
    where = ("au-dessus de" if g["estimate"] > g["baseline_high"] else "en dessous de" if g["estimate"] < g["baseline_low"]
             else "dans")
    alt = (f"Perte causée par le retrait de la structure en {year} : la baisse de la plus grande composante, "
           f"{fr.plural(100 * g['estimate'], 'point', decimals=1)}, se situe {where} la référence des réseaux "
           f"aléatoires, de {fr.format_number(100 * g['baseline_low'], 1)} à "
           f"{fr.plural(100 * g['baseline_high'], 'point', decimals=1)}.")
    return fig, alt


def dynamics_text(dynamics: pd.DataFrame) -> str:
    """Ties created, lost and kept from one year to the next."""
    last = dynamics.iloc[-1]
    return (f"D'une année à l'autre, en moyenne {fr.format_pct(dynamics['jaccard'].mean())} des liens de l'une ou "
            f"l'autre année sont présents les deux années, selon l'indice de Jaccard. En {int(last['year'])}, "
            f"{fr.plural(int(last['new']), 'lien est nouveau', 'liens sont nouveaux')}, "
            f"{fr.plural(int(last['lost']), 'a disparu', 'ont disparu')} et "
            f"{fr.plural(int(last['persisting']), 'est maintenu', 'sont maintenus')} ; "
            f"{fr.format_pct(last['new_cross_share'])} des nouveaux liens traversent les catégories. La plupart des "
            "liens de co-participation ne durent que le temps d'un événement : seuls les liens maintenus signalent "
            "une coopération durable.")


def dynamics_figure(dynamics: pd.DataFrame) -> tuple[plt.Figure, str]:
    """Stacked bars of kept and new ties, lost ties below zero."""
    fig, ax = plt.subplots(figsize=(9, 4))
    bottom = np.zeros(len(dynamics))
    for col, lab in [("persisting", "Maintenus"), ("new", "Nouveaux")]:
        ax.bar(dynamics["year"], dynamics[col], bottom=bottom, label=lab)
        bottom += dynamics[col].to_numpy()
    ax.bar(dynamics["year"], -dynamics["lost"], label="Perdus", color="0.6")
    ax.axhline(0, color="black", lw=0.8)
    years = dynamics["year"].astype(int).tolist()
    ax.set_xticks(years[:: max(1, len(years) // 8)])
    plots.french_axis(ax, "y", "int")
    ax.set_ylabel("Liens")
    ax.set_title("Dynamique des liens par rapport à l'année précédente")
    ax.legend(frameon=False)
    last = dynamics.iloc[-1]
    alt = (f"Liens maintenus, nouveaux et perdus chaque année de {int(dynamics['year'].iloc[0])} à {int(last['year'])} ; "
           f"en {int(last['year'])}, {fr.format_number(int(last['new']))} nouveaux, "
           f"{fr.format_number(int(last['lost']))} perdus et {fr.format_number(int(last['persisting']))} maintenus.")
    return fig, alt


def dynamics_table(dynamics: pd.DataFrame) -> object:
    """New, lost and kept ties per year, with the Jaccard overlap."""
    columns = {"year": "Année", "ties_after": "Liens", "new": "Nouveaux", "lost": "Perdus", "persisting": "Maintenus",
               "jaccard": "Jaccard", "new_cross_share": "Nouveaux liens entre catégories"}
    return fr.table(dynamics, columns, {"year": lambda v: str(int(v)), "jaccard": lambda v: _n(v, "jaccard"),
                                        "new_cross_share": "pct", **{c: "int" for c in ["ties_after", "new", "lost", "persisting"]}})
