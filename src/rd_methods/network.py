"""Actor network over time: who works with whom, how it grows, how much it hangs on one actor.

The actor network of a campaign is built from two sources of the data contract:

* **co-participation**: the ``events`` × ``participations`` bipartite graph projected onto
  actors with Newman's collaboration weights (two actors who attended an event with
  ``n_e`` participants get ``1 / (n_e - 1)`` for it; weights add up over shared events);
  Newman, M. E. J. (2001), *Scientific collaboration networks II*, Phys. Rev. E 64, 016132,
  as implemented by :func:`networkx.algorithms.bipartite.collaboration_weighted_projected_graph`;
* **direct ties** (``ties``: partnership, contract, supply, funding, membership) active in
  the period, whose weights are kept per kind on the edge and added to the total ``weight``.

Measures are networkx's wherever networkx has them (density, components, clustering,
assortativity, betweenness, eigenvector centrality, Burt's effective size and constraint,
Louvain communities and modularity). Written here, and tested against hand computations:
Freeman's centralisation (Freeman 1979), Krackhardt & Stern's E–I index (1988), the
node-removal *dependence* test against a degree-matched random baseline, and two sparse-matrix
shortcuts that give networkx's numbers much faster on large graphs (the projection itself
and Burt's constraint of one node).

Structural measures (betweenness, clustering, centralisation, eigenvector, constraint,
efficiency) use the *binary* graph: a tie exists or not. Collaboration weights are
strengths, not distances, so they are used only where a strength is meant (total
``weight`` for Louvain communities and modularity, ``strength`` in the broker profile).

Betweenness is exact up to :data:`EXACT_BETWEENNESS_MAX_NODES` nodes (Brandes 2001); above
that it is estimated from ``k`` seeded random pivots (Brandes & Pich 2007), and every result
says which was used.

Projection is a choice, reported as such. A territorial forum with 300 participants
projects to a 44,850-edge clique: on the cumulative demo network the textbook projection
gives 430,000 ties, of which 95 % come from nine forums. ``build_graph(projection=...)``
offers three rules (:data:`PROJECTIONS`): ``"clique"`` (every event a clique),
``"star_large"`` (default: events of more than ``max_event_size`` participants tie each
participant to the event's organisers and speakers only, 24,000 ties) and
``"exclude_large"`` (such events add no tie). Star projection makes the organiser of every
forum a hub by construction, so a broker result is only credible when it holds under each
rule (:func:`projection_comparison`) and in the two-mode data themselves
(:func:`two_mode_profile`).

Null models keep the data's structure. :func:`dependence` (and
:func:`rd_methods.resilience.compare_with_random`) compare the observed network with
networks rebuilt from a randomised actor x event incidence (:func:`curveball`, Strona et
al. 2014: event sizes and actors' numbers of events kept), projected with the same rule;
rewiring the projected graph (``null="projected"``) breaks the cliques that events create
and is kept only for comparison. :func:`brokerage_roles` counts Gould & Fernandez's (1989)
brokerage roles.
"""

from __future__ import annotations

import contextlib
import functools
import random
from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse import linalg as sparse_linalg

from rd_methods import disclosure
from rd_methods.montecarlo import EXCEEDANCES, MIN_DRAWS, ordered_map, sequential_test

__all__ = [
    "ActorNetwork",
    "best_connected",
    "brokerage_tests",
    "EXACT_BETWEENNESS_MAX_NODES",
    "BETWEENNESS_SAMPLE_K",
    "BETWEENNESS_MIN_K",
    "BETWEENNESS_WORK",
    "EXACT_EFFICIENCY_MAX_NODES",
    "THREADS_FROM_NODES",
    "TIE_KINDS",
    "DEFAULT_MAX_EVENT_SIZE",
    "PROJECTIONS",
    "DEFAULT_PROJECTION",
    "NULL_MODELS",
    "DEGREE_TOLERANCE",
    "BROKERAGE_ROLES",
    "BetweennessResult",
    "curveball",
    "null_adjacencies",
    "brokerage_roles",
    "brokerage_test",
    "two_mode_profile",
    "projection_comparison",
    "event_years",
    "build_graph",
    "graphs_over_time",
    "degree_centralisation",
    "betweenness_centralisation",
    "ei_index",
    "cross_share",
    "betweenness",
    "average_clustering",
    "communities",
    "graph_metrics",
    "metrics_over_time",
    "broker_profile",
    "dependence",
    "tie_dynamics",
    "tie_dynamics_over_time",
    "top_actors",
    "layout",
    "PROJECTION_LABELS",
    "PROJECTION_SHORT",
    "NULL_LABELS",
    "key_results",
]

#: Largest graph (in nodes) whose betweenness is computed exactly; above, pivots are sampled.
#: networkx's exact betweenness costs O(n m) in pure Python: about 1 s for a yearly demo
#: network (650 actors, 4,000 ties) but 33 s for the cumulative one (1,900 actors, 24,000 ties).
EXACT_BETWEENNESS_MAX_NODES = 1000
#: Most pivots of the sampled betweenness estimate (Brandes & Pich 2007).
BETWEENNESS_SAMPLE_K = 200
#: Fewest pivots of the sampled estimate.
BETWEENNESS_MIN_K = 20
#: Pivot budget: with ``k=None`` the number of pivots is ``BETWEENNESS_WORK / edges``,
#: clipped to [BETWEENNESS_MIN_K, BETWEENNESS_SAMPLE_K] (a few seconds in networkx).
BETWEENNESS_WORK = 2_000_000
#: Largest graph (in nodes) whose global efficiency is computed from every source node;
#: above, the mean over a seeded sample of sources of that size is used.
EXACT_EFFICIENCY_MAX_NODES = 200
#: Events with more participants are projected as stars (see the module docstring).
DEFAULT_MAX_EVENT_SIZE = 100
#: How events become ties (see :func:`build_graph`): a construction choice, reported as such.
PROJECTIONS = ("clique", "star_large", "exclude_large")
#: Default projection rule (the one under which the unsuffixed results are recorded).
DEFAULT_PROJECTION = "star_large"
#: Null models of :func:`dependence` (``"bipartite"``: curveball on the actor x event incidence).
NULL_MODELS = ("bipartite", "projected", "degree_matched")
#: Relative degree tolerance of the ``"degree_matched"`` comparison of :func:`dependence`.
DEGREE_TOLERANCE = 0.25
#: Open two-path types of Gould & Fernandez (1989), undirected (see :func:`brokerage_roles`).
BROKERAGE_ROLES = ("coordinator", "itinerant", "boundary", "liaison")
#: Kinds of direct ties of the data contract; the co-participation weight is ``co_participation``.
TIE_KINDS = ("partnership", "contract", "supply", "funding", "membership")
CO_PARTICIPATION = "co_participation"
_HUB_ROLES = ("organiser", "speaker")
_MEASURES = ("degree", "strength", "betweenness", "eigenvector")


class BetweennessResult(NamedTuple):
    """Betweenness of every node and how it was computed (``"exact"`` or ``"sampled"``).

    For a sampled estimate (``None`` / 0 when exact): ``se``, the standard error of each
    node's value measured from the spread of the ``k`` pivots' dependencies (``max_se``:
    its largest value); ``bound``, a guaranteed error bound: with probability at least
    95 %, *every* node's estimate is within ``bound`` of its exact value. Each pivot adds
    ``delta_s(v) / (n - 2)``, a number in [0, 1], and the estimate is their mean, so
    Hoeffding's inequality with a union bound over the ``n`` nodes gives
    ``bound = sqrt(ln(2 n / 0.05) / (2 k))`` (loose: the measured errors are much smaller).
    """

    values: dict
    method: str
    k: int | None
    se: dict | None = None
    bound: float = 0.0

    @property
    def max_se(self) -> float:
        return max(self.se.values(), default=0.0) if self.se else 0.0


# --------------------------------------------------------------------------- building


def _require(frame: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"table {table!r} lacks column(s) {missing}; see the data contract")


def _period_bounds(period) -> tuple[int, int] | None:
    if period is None:
        return None
    if isinstance(period, (int, np.integer)):
        return int(period), int(period)
    try:
        first, last = period
    except (TypeError, ValueError):
        raise ValueError(f"period must be a year or (first, last), got {period!r}") from None
    first, last = int(first), int(last)
    if first > last:
        raise ValueError(f"period ({first}, {last}) ends before it starts")
    return first, last


def event_years(events: pd.DataFrame) -> pd.Series:
    """Year of each event (from ``held_on``), indexed by ``event_id``."""
    _require(events, ["event_id", "held_on"], "events")
    years = pd.to_datetime(events["held_on"]).dt.year
    return pd.Series(years.to_numpy(), index=events["event_id"].astype(str), name="year")


def _canonical(u: pd.Series, v: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    u = u.astype(str).to_numpy()
    v = v.astype(str).to_numpy()
    swap = u > v
    return np.where(swap, v, u), np.where(swap, u, v)


def _clique_pairs(part: pd.DataFrame) -> pd.DataFrame:
    """Newman projection of events as cliques, by sparse products (same numbers as networkx)."""
    empty = pd.DataFrame({"u": [], "v": [], CO_PARTICIPATION: [], "n_shared_events": []})
    if part.empty:
        return empty
    actor_codes, actor_ids = pd.factorize(part["actor_id"], sort=True)
    event_codes, _ = pd.factorize(part["event_id"])
    size = np.bincount(event_codes)
    w = np.where(size > 1, 1.0 / np.maximum(size - 1, 1), 0.0)
    shape = (len(actor_ids), len(size))
    incidence = sparse.csr_matrix((np.ones(len(part)), (actor_codes, event_codes)), shape=shape)
    weighted = incidence @ sparse.diags(w)
    strength = sparse.triu(weighted @ incidence.T, k=1).tocoo()
    count = sparse.triu(incidence @ sparse.diags((size > 1).astype(float)) @ incidence.T, k=1)
    count = count.tocsr()
    ids = np.asarray(actor_ids, dtype=object)
    n_shared = np.asarray(count[strength.row, strength.col]).ravel()
    keep = strength.data > 0
    u, v = _canonical(pd.Series(ids[strength.row[keep]]), pd.Series(ids[strength.col[keep]]))
    return pd.DataFrame(
        {"u": u, "v": v, CO_PARTICIPATION: strength.data[keep], "n_shared_events": n_shared[keep]}
    )


def _star_pairs(part: pd.DataFrame, size: pd.Series) -> pd.DataFrame:
    """Large events as stars: each participant tied to the event's organisers and speakers."""
    if part.empty or "role" not in part.columns:
        return pd.DataFrame({"u": [], "v": [], CO_PARTICIPATION: [], "n_shared_events": []})
    hubs = part.loc[part["role"].isin(_HUB_ROLES), ["event_id", "actor_id"]].drop_duplicates()
    everyone = part[["event_id", "actor_id"]].drop_duplicates()
    pairs = hubs.merge(everyone, on="event_id", suffixes=("_hub", ""))
    pairs = pairs[pairs["actor_id_hub"] != pairs["actor_id"]]
    u, v = _canonical(pairs["actor_id_hub"], pairs["actor_id"])
    pairs = pd.DataFrame({"event_id": pairs["event_id"].to_numpy(), "u": u, "v": v})
    pairs = pairs.drop_duplicates()  # hub-hub pairs appear twice
    pairs[CO_PARTICIPATION] = 1.0 / (pairs["event_id"].map(size).to_numpy() - 1)
    pairs["n_shared_events"] = 1.0
    return pairs.groupby(["u", "v"], as_index=False)[[CO_PARTICIPATION, "n_shared_events"]].sum()


def _incidence(part: pd.DataFrame) -> pd.DataFrame:
    """Actor x event incidence of a period: one row per (event, actor), ``hub`` flag.

    ``hub`` is True when the actor organised or spoke at the event (any of its rows).
    """
    hub = part["role"].isin(_HUB_ROLES) if "role" in part.columns else False
    inc = part[["event_id", "actor_id"]].assign(hub=hub)
    inc = inc.groupby(["event_id", "actor_id"], as_index=False, sort=True)["hub"].any()
    return inc.reset_index(drop=True)


def _large_events(size: pd.Series, projection: str, max_event_size: int | None) -> set:
    if projection == "clique" or max_event_size is None:
        return set()
    return set(size.index[size > max_event_size])


def build_graph(
    actors: pd.DataFrame,
    participations: pd.DataFrame,
    events: pd.DataFrame,
    ties: pd.DataFrame | None = None,
    period: int | tuple[int, int] | None = None,
    *,
    projection: str = DEFAULT_PROJECTION,
    max_event_size: int | None = DEFAULT_MAX_EVENT_SIZE,
) -> nx.Graph:
    """Actor network of one period: projected co-participation merged with direct ties.

    Parameters
    ----------
    actors, participations, events : DataFrame
        Tables of the data contract (``participations`` needs ``event_id``, ``actor_id`` and,
        for star projection, ``role``; ``events`` needs ``event_id`` and ``held_on``).
    ties : DataFrame, optional
        Direct ties; a tie is active in the period when ``start_year <= last`` and
        ``end_year`` is empty or ``>= first``. Self-ties are ignored.
    period : int or (int, int), optional
        One year, or an inclusive range of years (cumulative network); ``None`` = everything.
    projection : {"clique", "star_large", "exclude_large"}
        How events are turned into ties, an explicit choice to report (see
        :data:`PROJECTIONS`): ``"clique"`` every event ties all its participants together;
        ``"star_large"`` (default) events of more than ``max_event_size`` participants tie
        each participant to the event's organisers and speakers only; ``"exclude_large"``
        such events add no tie (their participants stay as nodes).
    max_event_size : int or None
        Threshold of a *large* event for ``"star_large"`` and ``"exclude_large"``;
        ``None`` makes every event small (the clique projection).

    Returns
    -------
    networkx.Graph
        Nodes are ``actor_id`` with attributes ``category``, ``member_college``,
        ``personal`` and ``display_name`` (pseudonym for personal actors, from
        :func:`rd_methods.disclosure.display_names`). Edges carry ``weight`` (total),
        ``co_participation`` (Newman weight, 0 if none), ``n_shared_events``, one
        attribute per tie kind present (summed ``weight`` of those ties) and ``kinds``
        (sorted, ``";"``-joined). ``G.graph`` holds ``period``, ``n_events``,
        ``n_participations``, ``projection``, ``max_event_size``, ``n_large_events``, and
        what the null models of :func:`dependence` and
        :func:`rd_methods.resilience.compare_with_random` need to rebuild the graph from a
        randomised incidence: ``incidence`` (the period's ``event_id, actor_id, hub``
        rows, ``hub`` = organiser or speaker) and ``direct_ties`` (``u, v`` of the active
        direct ties).

    Notes
    -----
    Assumption: attending the same event is a (weak) tie whose strength is shared among
    the other participants (Newman 2001). Nodes are the actors active in the period (a
    participation or an active tie), not every actor of the table.

    Examples
    --------
    >>> actors = pd.DataFrame({"actor_id": ["a", "b", "c"], "name": ["A", "B", "C"],
    ...     "category": ["association", "citizen", "citizen"], "personal": [False, True, True]})
    >>> events = pd.DataFrame({"event_id": ["e1"], "held_on": pd.to_datetime(["2020-05-01"])})
    >>> part = pd.DataFrame({"event_id": ["e1"] * 3, "actor_id": ["a", "b", "c"]})
    >>> G = build_graph(actors, part, events, period=2020)
    >>> G["a"]["b"]["weight"]
    0.5
    """
    if projection not in PROJECTIONS:
        raise ValueError(f"projection must be one of {PROJECTIONS}, got {projection!r}")
    prepared = _prepare(actors, participations, events, ties)
    return _build(prepared, _period_bounds(period), projection, max_event_size)


class ActorNetwork(nx.Graph):
    """The networkx graph :func:`build_graph` returns: its ties become networkx's
    per-tie dictionaries only when networkx code first needs them.

    Every measure of this module reads a network's ties as arrays (``G.graph["_arrays"]``,
    see :func:`_edge_arrays`). networkx keeps one Python dictionary per tie, twice
    referenced: about 1 KB a tie, 4 GB and 40 s for the ten yearly networks of a campaign
    100 times the demo. An ``ActorNetwork`` builds them on the first access to its
    adjacency (``G.adj``, ``G.edges``, ``G[u]``, ``G.degree``, any networkx algorithm or
    edit), with the contents and order they would have had if added at once; until then
    ``G.number_of_edges()`` answers from the arrays. Nodes and their attributes are
    ordinary. Otherwise an ``nx.Graph`` in every respect.

    >>> G = ActorNetwork()
    >>> G.add_nodes_from("abc")
    >>> G._defer_ties(np.array([0, 1]), np.array([1, 2]), {"weight": np.array([2.0, 1.0])})
    >>> G.number_of_edges(), "_deferred_ties" in G.__dict__
    (2, True)
    >>> sorted(G.edges(data="weight")), G.__dict__["_deferred_ties"] is None
    ([('a', 'b', 2.0), ('b', 'c', 1.0)], True)
    """

    @property
    def _adj(self):
        state = self.__dict__
        pending = state.get("_deferred_ties")
        if pending is not None:
            state["_deferred_ties"] = None
            nodes, adj = list(self._node), state["_adj_dicts"]
            u, v, columns = pending
            names = list(columns)
            values = [columns[c].tolist() for c in names]
            for a, b, *row in zip(u.tolist(), v.tolist(), *values, strict=True):
                data = dict(zip(names, row, strict=True))
                adj[nodes[a]][nodes[b]] = data
                adj[nodes[b]][nodes[a]] = data
        return state["_adj_dicts"]

    @_adj.setter
    def _adj(self, value):
        self.__dict__["_adj_dicts"] = value
        self.__dict__["_deferred_ties"] = None

    def _defer_ties(self, u: np.ndarray, v: np.ndarray, columns: dict) -> None:
        """Ties ``nodes[u[i]] – nodes[v[i]]`` (positions in node order), attributes by column."""
        self.__dict__["_deferred_ties"] = (np.asarray(u), np.asarray(v), dict(columns))

    def number_of_edges(self, u=None, v=None) -> int:
        pending = self.__dict__.get("_deferred_ties")
        if u is None and v is None and pending is not None:
            return len(pending[0])
        return super().number_of_edges(u, v)


class _Prepared(NamedTuple):
    """What every period's network needs, computed once (:func:`graphs_over_time`)."""

    part: pd.DataFrame  # event_id, actor_id as str (and role)
    years: pd.Series  # event year by event_id
    ties: pd.DataFrame | None  # direct ties, canonical (u, v, kind, w, start, end)
    info: pd.DataFrame  # actors by actor_id
    shown: pd.Series | None  # display name by actor_id


def _prepare(actors, participations, events, ties) -> _Prepared:
    _require(actors, ["actor_id", "category"], "actors")
    _require(participations, ["event_id", "actor_id"], "participations")
    part = participations.assign(
        event_id=participations["event_id"].astype(str),
        actor_id=participations["actor_id"].astype(str),
    )
    canonical = None
    if ties is not None and len(ties):
        _require(ties, ["source_id", "target_id", "kind", "start_year"], "ties")
        kept = ties.loc[ties["source_id"].astype(str) != ties["target_id"].astype(str)]
        weight = (
            pd.to_numeric(kept["weight"]).fillna(1.0).to_numpy()
            if "weight" in kept
            else np.ones(len(kept))
        )
        u, v = _canonical(kept["source_id"], kept["target_id"])
        end = pd.to_numeric(kept["end_year"]) if "end_year" in kept else pd.Series(np.nan, kept.index)
        canonical = pd.DataFrame({
            "u": u, "v": v, "kind": kept["kind"].astype(str).to_numpy(), "w": weight,
            "start": pd.to_numeric(kept["start_year"]).to_numpy(dtype=float),
            "end": end.to_numpy(dtype=float),
        })
    info = actors.assign(actor_id=actors["actor_id"].astype(str)).drop_duplicates("actor_id")
    info = info.set_index("actor_id")
    shown = disclosure.display_names(actors) if "name" in actors else None
    if shown is not None:
        shown = shown[~shown.index.duplicated()]
    return _Prepared(part, event_years(events), canonical, info, shown)


def _build(prep: _Prepared, bounds, projection: str, max_event_size: int | None) -> nx.Graph:
    years = prep.years
    in_period = years.index if bounds is None else years.index[years.between(*bounds).to_numpy()]
    part = prep.part
    part = part.loc[part["event_id"].isin(set(in_period))]
    incidence = _incidence(part)
    part = part.drop_duplicates(["event_id", "actor_id"])
    size = part.groupby("event_id").size()
    large = _large_events(size, projection, max_event_size)
    small_part = part.loc[~part["event_id"].isin(large), ["event_id", "actor_id"]]
    frames = [_clique_pairs(small_part)]
    if large and projection == "star_large":
        frames.append(_star_pairs(part.loc[part["event_id"].isin(large)], size))
    co = frames[0]
    if len(frames) > 1 and len(frames[1]):
        co = pd.concat(frames, ignore_index=True)
        co = co.groupby(["u", "v"], as_index=False)[[CO_PARTICIPATION, "n_shared_events"]].sum()
    direct = pd.DataFrame({"u": [], "v": []}, dtype=object)

    nodes = set(part["actor_id"])
    edges = co.set_index(["u", "v"])
    kinds_present: list[str] = []
    if prep.ties is not None:
        active = prep.ties
        if bounds is not None:
            first, last = bounds
            ok = (active["start"].to_numpy() <= last) & (
                np.isnan(active["end"].to_numpy()) | (active["end"].to_numpy() >= first)
            )
            active = active.loc[ok]
        direct = active[["u", "v"]].drop_duplicates().reset_index(drop=True)
        if len(active):
            wide = active.pivot_table(index=["u", "v"], columns="kind", values="w", aggfunc="sum")
            kinds_present = sorted(wide.columns)
            edges = edges.join(wide, how="outer")
            nodes |= set(active["u"]) | set(active["v"])
    edges = edges.sort_index()
    edges[CO_PARTICIPATION] = edges[CO_PARTICIPATION].fillna(0.0).astype(float)
    edges["n_shared_events"] = edges["n_shared_events"].fillna(0).astype(int)
    for kind in kinds_present:
        edges[kind] = edges[kind].fillna(0.0).astype(float)
    edges["weight"] = edges[[CO_PARTICIPATION, *kinds_present]].sum(axis=1)
    names = [CO_PARTICIPATION, *kinds_present]
    # "co_participation;partnership"…: the kinds of each tie, through a bit mask per tie
    mask = np.zeros(len(edges), np.int64)
    for bit, name in enumerate(names):
        mask |= (edges[name].to_numpy() > 0).astype(np.int64) << bit
    present, which = np.unique(mask, return_inverse=True)
    spelled = np.array([";".join(nm for b, nm in enumerate(names) if code >> b & 1) for code in present.tolist()] + [""],
                       dtype=object)[:-1]
    kinds = spelled[which]

    info = prep.info
    unknown = sorted(nodes - set(info.index))
    if unknown:
        raise ValueError(
            f"{len(unknown)} actor(s) of participations/ties are not in actors, e.g. {unknown[:3]}"
        )
    G = ActorNetwork()
    G.graph.update(
        period=bounds,
        n_events=int(part["event_id"].nunique()),
        n_participations=int(len(part)),
        projection=projection,
        max_event_size=max_event_size,
        n_large_events=len(large),
        incidence=incidence,
        direct_ties=direct,
    )
    ordered = sorted(nodes)
    sub = info.loc[ordered]
    personal = (
        sub["personal"].fillna(False).astype(bool).to_numpy()
        if "personal" in sub
        else np.zeros(len(sub), bool)
    )
    college = sub["member_college"] if "member_college" in sub else pd.Series(np.nan, sub.index)
    college = [None if pd.isna(mc) else str(mc) for mc in college.to_numpy(object)]
    category = [str(c) for c in sub["category"].to_numpy(object)]
    if prep.shown is not None:
        display = [str(x) for x in prep.shown.reindex(ordered).to_numpy(object)]
    else:
        display = ordered
    # filled like add_nodes_from would (same dicts, same order), without its per-item checks
    node_attr, adj = G._node, G._adj
    for node, cat, mc, pers, nm in zip(ordered, category, college, personal.tolist(), display, strict=True):
        node_attr[node] = {"category": cat, "member_college": mc, "personal": bool(pers),
                           "display_name": nm}
        adj[node] = {}
    # the ties as arrays, in the order G.edges() will yield them (sorted u < v, nodes
    # sorted): what the measures read (see _edge_arrays); networkx's dicts only on demand
    position = pd.Index(ordered)
    u_idx = position.get_indexer(edges.index.get_level_values(0)).astype(np.int64)
    v_idx = position.get_indexer(edges.index.get_level_values(1)).astype(np.int64)
    G.graph[_ARRAYS] = (ordered, u_idx, v_idx, edges["weight"].to_numpy(dtype=float))
    attr_cols = [CO_PARTICIPATION, "n_shared_events", *kinds_present, "weight"]
    G._defer_ties(u_idx, v_idx, {**{c: edges[c].to_numpy() for c in attr_cols}, "kinds": kinds})
    return G


def graphs_over_time(
    actors: pd.DataFrame,
    participations: pd.DataFrame,
    events: pd.DataFrame,
    ties: pd.DataFrame | None = None,
    *,
    granularity: str = "year",
    years: Sequence[int] | None = None,
    **build_options,
) -> dict[int, nx.Graph]:
    """One network per year (``"year"``) or per cumulative period from the first year.

    Keys are the (last) year of each period; ``G.graph["period"]`` gives ``(first, last)``.
    The years run from the first to the last event year unless ``years`` is given. Other
    keyword arguments go to :func:`build_graph`.
    """
    if granularity not in ("year", "cumulative"):
        raise ValueError(f"granularity must be 'year' or 'cumulative', got {granularity!r}")
    all_years = event_years(events)
    if all_years.empty:
        raise ValueError("no event: the network needs events and participations")
    first, last = int(all_years.min()), int(all_years.max())
    wanted = list(range(first, last + 1)) if years is None else sorted(int(y) for y in years)
    projection = build_options.pop("projection", DEFAULT_PROJECTION)
    max_event_size = build_options.pop("max_event_size", DEFAULT_MAX_EVENT_SIZE)
    if build_options:
        raise TypeError(f"unexpected option(s) {sorted(build_options)}")
    if projection not in PROJECTIONS:
        raise ValueError(f"projection must be one of {PROJECTIONS}, got {projection!r}")
    prepared = _prepare(actors, participations, events, ties)  # once for every period
    graphs = {}
    for year in wanted:
        period = year if granularity == "year" else (first, year)
        graphs[year] = _build(prepared, _period_bounds(period), projection, max_event_size)
    return graphs


# --------------------------------------------------------------------------- measures


def degree_centralisation(G: nx.Graph) -> float:
    """Freeman's degree centralisation: 1 for a star, 0 for a regular graph.

    ``sum(d_max - d_i) / ((n - 1)(n - 2))`` (Freeman 1979, *Social Networks* 1: 215–239),
    the sum of differences to the most central node over its maximum, reached by the star.
    NaN below 3 nodes.

    Examples
    --------
    >>> degree_centralisation(nx.star_graph(4))
    1.0
    >>> round(degree_centralisation(nx.path_graph(5)), 4)  # 2 / (4 * 3)
    0.1667
    """
    n = G.number_of_nodes()
    if n < 3:
        return float("nan")
    deg = np.fromiter(_degrees(G).values(), float, n)
    return float((deg.max() - deg).sum() / ((n - 1) * (n - 2)))


def betweenness_centralisation(G: nx.Graph, values: Mapping | None = None) -> float:
    """Freeman's betweenness centralisation: 1 for a star, 0 when all are equal.

    With betweenness normalised by ``(n-1)(n-2)/2`` (networkx's default), the maximum of
    ``sum(b_max - b_i)`` is ``n - 1`` (the star), so the index is that sum over ``n - 1``
    (Freeman 1979). ``values`` may pass an already computed (normalised) betweenness.

    Examples
    --------
    >>> betweenness_centralisation(nx.star_graph(4))
    1.0
    >>> round(betweenness_centralisation(nx.path_graph(5)), 4)  # 10 / 24
    0.4167
    """
    n = G.number_of_nodes()
    if n < 3:
        return float("nan")
    if values is None:
        values = nx.betweenness_centrality(G)
    b = np.fromiter(values.values(), float, len(values))
    return float((b.max() - b).sum() / (n - 1))


def _edge_same(G: nx.Graph, attribute: str) -> np.ndarray:
    """Whether each tie (in :func:`_edge_arrays` order) joins two actors of the same group."""
    nodes, _, u, v, _ = _edge_arrays(G)
    groups = [G.nodes[x].get(attribute) for x in nodes]
    codes = np.asarray(pd.factorize(pd.Series(groups, dtype=object), use_na_sentinel=False)[0])
    return codes[u] == codes[v]


def ei_index(G: nx.Graph, attribute: str = "category", weight: str | None = None) -> float:
    """Krackhardt & Stern's E–I index: ``(E - I) / (E + I)`` over the ties of the graph.

    ``E`` counts ties between actors of different ``attribute`` values, ``I`` within the
    same value (weighted sums with ``weight``). From −1 (all ties inside groups) to +1 (all
    across). Krackhardt, D. & Stern, R. (1988), *Social Psychology Quarterly* 51: 123–140.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> nx.set_node_attributes(G, {"a": "x", "b": "x", "c": "y", "d": "y"}, "category")
    >>> round(ei_index(G), 4)  # E = 1, I = 2
    -0.3333
    """
    if G.number_of_edges() == 0:
        return float("nan")
    same = _edge_same(G, attribute)
    w = _edge_arrays(G, weight)[4]
    internal, external = w[same].sum(), w[~same].sum()
    return float((external - internal) / (external + internal))


def cross_share(G: nx.Graph, node: Hashable, attribute: str = "category") -> float:
    """Share of ``node``'s ties that reach an actor of another ``attribute`` value."""
    nbrs = _neighbours(G, node)
    if not nbrs:
        return float("nan")
    own = G.nodes[node].get(attribute)
    return float(np.mean([G.nodes[m].get(attribute) != own for m in nbrs]))


def _brandes(A: sparse.csr_matrix, sources: Sequence[int], chunk: int | None = None,
             squares: np.ndarray | None = None) -> np.ndarray:
    """Sum over ``sources`` of Brandes' dependencies ``delta_s(v)`` on a binary graph.

    ``squares``, if given (length n), receives the sum over sources of ``delta_s(v) ** 2``
    (for the standard error of a sampled estimate).

    Brandes (2001) for unweighted graphs, run on a block of sources at once: the
    breadth-first search advances one level per sparse product ``A @ frontier`` (counting
    shortest paths ``sigma`` on the way) and the dependencies are accumulated back level by
    level with ``delta_v += sigma_v * sum_w (1 + delta_w) / sigma_w`` over the neighbours
    ``w`` one level further. Same numbers as networkx's per-source loop, in compiled code.
    The source's own dependency is left out (``endpoints=False``).
    """
    n = A.shape[0]
    total = np.zeros(n)
    sources = np.asarray(sources, dtype=np.int64)
    if n == 0 or len(sources) == 0:
        return total
    if chunk is None:  # keep each (n x chunk) block around 4 MB
        chunk = int(np.clip(500_000 // n, 1, 64))
    A = sparse.csr_matrix(A, dtype=float)
    for start in range(0, len(sources), chunk):
        block = sources[start : start + chunk]
        cols = np.arange(len(block))
        dist = np.full((n, len(block)), -1, dtype=np.int32)
        sigma = np.zeros((n, len(block)))
        dist[block, cols] = 0
        sigma[block, cols] = 1.0
        frontier = sigma.copy()
        depth = 0
        while True:
            reach = A @ frontier
            new = (reach > 0) & (dist < 0)
            if not new.any():
                break
            depth += 1
            dist[new] = depth
            frontier = np.where(new, reach, 0.0)
            sigma += frontier
        delta = np.zeros((n, len(block)))
        for level in range(depth, 0, -1):
            at = dist == level
            coef = np.where(at, (1.0 + delta) / np.where(at, sigma, 1.0), 0.0)
            delta += np.where(dist == level - 1, sigma * (A @ coef), 0.0)
        delta[block, cols] = 0.0
        total += delta.sum(axis=1)
        if squares is not None:
            squares += (delta**2).sum(axis=1)
    return total


def _betweenness_arrays(
    A: sparse.csr_matrix, nodes: list, exact_max_nodes: int, k: int | None, seed: int
) -> BetweennessResult:
    n, m = len(nodes), int(A.nnz // 2)
    if k is None:
        k = int(np.clip(BETWEENNESS_WORK // max(m, 1), BETWEENNESS_MIN_K, BETWEENNESS_SAMPLE_K))
    if n <= exact_max_nodes or k >= n:
        raw = _brandes(A, np.arange(n))
        scale = np.full(n, 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0)
        method, k_used = "exact", None
    else:
        # the pivots networkx would draw: random.Random(seed).sample(list(G), k)
        index = {v: i for i, v in enumerate(nodes)}
        pivots = np.array([index[v] for v in random.Random(int(seed)).sample(nodes, int(k))])
        squares = np.zeros(n)
        raw = _brandes(A, pivots, squares=squares)
        # networkx >= 3.5 rescaling without endpoints: pivots have one pair fewer
        scale = np.full(n, 1.0 / (k * (n - 2)))
        scale[pivots] = 1.0 / ((k - 1) * (n - 2)) if k > 1 else np.nan
        method, k_used = "sampled", int(k)
        # the estimate is scale * (sum of k i.i.d. pivot dependencies): its standard error is
        # scale * sqrt(k * sample variance of the dependencies)
        kk = np.full(n, float(k))
        kk[pivots] = k - 1  # a pivot's own dependency is left out
        with np.errstate(invalid="ignore", divide="ignore"):
            var = np.maximum(squares - raw**2 / kk, 0.0) / np.maximum(kk - 1, 1)
        se = dict(zip(nodes, (scale * np.sqrt(kk * var)).tolist(), strict=True))
        values = dict(zip(nodes, (raw * scale).tolist(), strict=True))
        bound = float(np.sqrt(np.log(2 * n / 0.05) / (2 * (k - 1)))) if k > 1 else float("inf")
        return BetweennessResult(values, method, k_used, se, bound)
    values = dict(zip(nodes, (raw * scale).tolist(), strict=True))
    return BetweennessResult(values, method, k_used)


def betweenness(
    G: nx.Graph,
    *,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    k: int | None = None,
    seed: int = 0,
) -> BetweennessResult:
    """Normalised betweenness of every node (binary graph), exact or from ``k`` pivots.

    Exact (Brandes 2001) up to ``exact_max_nodes`` nodes; above, estimated from ``k``
    random source nodes drawn with ``seed`` (Brandes & Pich 2007) and rescaled to the same
    normalisation, so values are comparable. ``k=None`` picks ``BETWEENNESS_WORK / edges``
    pivots, between ``BETWEENNESS_MIN_K`` and ``BETWEENNESS_SAMPLE_K``. The result says
    which was used (``method``, ``k``) and, when sampled, its error: the standard error of
    every node's value measured from the spread of the pivots' dependencies (``se``,
    ``max_se``) and a guaranteed bound on every node at 95 % (``bound``, Hoeffding; see
    :class:`BetweennessResult`).

    Computed here by a vectorised Brandes (one sparse product per BFS level for a block of
    sources, :func:`_brandes`) that returns networkx's ``betweenness_centrality`` numbers,
    including the same seeded pivots and rescaling (tested against networkx), about a
    hundred times faster on large graphs.

    Examples
    --------
    >>> res = betweenness(nx.star_graph(3))
    >>> res.values[0], res.method
    (1.0, 'exact')
    """
    A, nodes, _ = _adjacency(G)
    return _betweenness_arrays(A, nodes, exact_max_nodes, k, seed)


def _triangles(A: sparse.csr_matrix) -> np.ndarray:
    """Number of triangles through each node of a binary symmetric adjacency.

    Edges are oriented from lower to higher (degree, index) rank, so that every triangle
    ``a < b < c`` is found once, from sparse products whose size stays small around hubs:
    ``(L @ L) * L`` counts it on edge ``a -> c`` (for ``a`` and ``c``) and
    ``(L.T @ L) * L`` on edge ``b -> c`` (for the middle node ``b``).
    """
    n = A.shape[0]
    if n == 0 or A.nnz == 0:
        return np.zeros(n)
    deg = np.asarray(A.sum(axis=1)).ravel()
    rank = np.empty(n, np.int64)
    rank[np.lexsort((np.arange(n), deg))] = np.arange(n)
    upper = sparse.triu(A, k=1).tocoo()
    swap = rank[upper.row] > rank[upper.col]
    low = np.where(swap, upper.col, upper.row)
    high = np.where(swap, upper.row, upper.col)
    L = sparse.csr_matrix((np.ones(len(low)), (low, high)), shape=(n, n))
    LT = sparse.csr_matrix(L.T)
    out = np.zeros(n)
    for rows in _row_blocks(L, L):  # products by blocks of rows: bounded memory
        outer = (L[rows] @ L).multiply(L[rows])
        out[rows] += np.asarray(outer.sum(axis=1)).ravel()
        out += np.asarray(outer.sum(axis=0)).ravel()
    for rows in _row_blocks(LT, L):
        middle = (LT[rows] @ L).multiply(L[rows])
        out[rows] += np.asarray(middle.sum(axis=1)).ravel()
    return out


#: Most entries (before merging) of one block of a sparse product (see _row_blocks).
PRODUCT_BLOCK_WORK = 20_000_000


def _row_blocks(A: sparse.csr_matrix, B: sparse.csr_matrix, work: int | None = None):
    """Slices of rows of ``A`` such that each block of ``A[rows] @ B`` forms at most about
    ``work`` partial products (one row at least): a product of a 400,000-tie projection by
    itself has billions of entries, which would not fit in memory at once."""
    n = A.shape[0]
    work = PRODUCT_BLOCK_WORK if work is None else work
    per_row = np.asarray(A.astype(bool).astype(np.int64) @ np.diff(B.indptr)).ravel()
    start, total = 0, 0
    for i, cost in enumerate(per_row.tolist()):
        if total and total + cost > work:
            yield slice(start, i)
            start, total = i, 0
        total += cost
    if start < n:
        yield slice(start, n)


def _average_clustering_arrays(A: sparse.csr_matrix) -> float:
    n = A.shape[0]
    if n == 0:
        return float("nan")
    tri = _triangles(A)
    deg = np.asarray(A.sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        local = np.where(deg > 1, 2 * tri / (deg * (deg - 1)), 0.0)
    return float(local.mean())


def average_clustering(G: nx.Graph) -> float:
    """Mean local clustering over all nodes (zeros included), as networkx's ``average_clustering``.

    ``c_v = 2 T_v / (d_v (d_v - 1))`` with the triangle counts ``T_v`` from sparse
    products on a degree-ordered orientation of the edges (:func:`_triangles`, tested
    against :func:`networkx.triangles`): seconds where networkx's set intersections around
    a 40,000-tie hub take minutes.
    """
    A, _, _ = _adjacency(G)
    return _average_clustering_arrays(A)


def communities(
    G: nx.Graph, *, seed: int = 0, weight: str | None = "weight", resolution: float = 1.0
) -> pd.DataFrame:
    """Louvain communities (Blondel et al. 2008), seeded.

    Computed by igraph's ``community_multilevel`` (C), seeded through a private
    ``random.Random(seed)``; networkx's ``louvain_communities`` gives partitions of the same
    quality (modularity within about 0.01 on the demo) but takes minutes on 300,000 ties.
    Returns one row per node: ``actor_id``, ``community`` (0 = the largest), ``size``.
    """
    nodes, _, u, v, w = _edge_arrays(G, weight)
    if not nodes:
        return pd.DataFrame({"actor_id": [], "community": [], "size": []})
    labels = _louvain(_igraph(len(nodes), u, v), w.tolist() if weight else None, seed, resolution)
    parts: dict[int, list] = {}
    for node, c in zip(nodes, labels, strict=True):
        parts.setdefault(c, []).append(node)
    ordered = sorted(parts.values(), key=lambda c: (-len(c), min(map(str, c))))
    rows = [(node, i, len(c)) for i, c in enumerate(ordered) for node in c]
    out = pd.DataFrame(rows, columns=["actor_id", "community", "size"])
    return out.sort_values(["community", "actor_id"], ignore_index=True)


def _assortativity(codes: np.ndarray, u: np.ndarray, v: np.ndarray) -> float:
    """Newman's (2003) attribute assortativity from node codes, as networkx computes it."""
    if len(u) == 0:
        return float("nan")
    n_groups = int(codes.max()) + 1
    a, b = codes[u], codes[v]
    off = u != v  # networkx counts each tie in both directions, a self-loop once
    pairs = np.concatenate([a * n_groups + b, (b * n_groups + a)[off]])
    M = np.bincount(pairs, minlength=n_groups * n_groups).reshape(n_groups, n_groups)
    M = M / M.sum()
    s = float((M @ M).sum())
    if s == 1.0:
        return float("nan")
    return float((M.trace() - s) / (1 - s))


def graph_metrics(
    G: nx.Graph,
    *,
    attribute: str = "category",
    seed: int = 0,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    k: int | None = None,
) -> dict:
    """Whole-network measures of one graph (see :func:`metrics_over_time` for the list).

    Computed on arrays: components with :mod:`scipy.sparse.csgraph`, betweenness with
    :func:`_brandes`, clustering with :func:`_triangles`, assortativity and E–I from
    integer codes (all tested against networkx's numbers), Louvain and modularity with
    igraph (see :func:`communities`).
    """
    n, m = G.number_of_nodes(), G.number_of_edges()
    out: dict = {"nodes": n, "edges": m}
    if n == 0:
        return out
    nodes, _, u, v, w = _edge_arrays(G, "weight")
    A = _symmetric(n, u, v, np.ones(m))
    n_comp, labels = csgraph.connected_components(A, directed=False)
    bet = _betweenness_arrays(A, nodes, exact_max_nodes, k, seed)
    deg = np.asarray(A.sum(axis=1)).ravel()
    groups = [G.nodes[x].get(attribute) for x in nodes]
    codes = pd.factorize(pd.Series(groups, dtype=object), use_na_sentinel=False)[0]
    same = codes[u] == codes[v]
    out.update(
        density=nx.density(G),
        components=int(n_comp),
        giant_share=np.bincount(labels).max() / n,
        avg_clustering=_average_clustering_arrays(A),
        degree_centralisation=(
            float((deg.max() - deg).sum() / ((n - 1) * (n - 2))) if n >= 3 else float("nan")
        ),
        betweenness_centralisation=betweenness_centralisation(G, bet.values),
        betweenness_method=bet.method,
        betweenness_k=bet.k,
        betweenness_max_se=bet.max_se,
        betweenness_bound=bet.bound,
        assortativity=_assortativity(codes, u, v),
        ei_index=float((~same).sum() - same.sum()) / m if m else float("nan"),
    )
    if m:
        g = _igraph(n, u, v)
        membership = _louvain(g, w.tolist(), seed)
        out["n_communities"] = len(set(membership))
        out["modularity"] = float(g.modularity(membership, weights=w.tolist()))
    else:
        out["n_communities"], out["modularity"] = n, float("nan")
    return out


def metrics_over_time(
    actors: pd.DataFrame | None = None,
    participations: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    ties: pd.DataFrame | None = None,
    *,
    granularity: str = "year",
    attribute: str = "category",
    seed: int = 0,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    k: int | None = None,
    graphs: Mapping[int, nx.Graph] | None = None,
    **build_options,
) -> pd.DataFrame:
    """Network measures per year or per cumulative period.

    Parameters
    ----------
    actors, participations, events, ties : DataFrame
        Tables of the data contract (not needed when ``graphs`` is given).
    granularity : {"year", "cumulative"}
        One network per calendar year, or the network accumulated since the first year.
    attribute : str
        Node attribute for assortativity and the E–I index.
    seed : int
        Seed of Louvain and of sampled betweenness.
    exact_max_nodes, k : int
        Betweenness switch (see :func:`betweenness`).
    graphs : mapping year -> Graph, optional
        Networks already built by :func:`graphs_over_time` (then ``granularity`` is taken
        from how they were built and the tables are ignored).

    Returns
    -------
    DataFrame
        One row per period, sorted by ``year``: ``year``, ``first``, ``last``, ``nodes``,
        ``edges``, ``density``, ``components``, ``giant_share``, ``avg_clustering``,
        ``degree_centralisation``, ``betweenness_centralisation``, ``betweenness_method``,
        ``betweenness_k``, ``betweenness_max_se`` (largest standard error of a node's
        sampled betweenness) and ``betweenness_bound`` (95 % bound on every node's error;
        both 0 when exact),
        ``assortativity`` (Newman 2003, by ``attribute``), ``ei_index``,
        ``n_communities`` and ``modularity`` (weighted Louvain, seeded).

    Examples
    --------
    >>> table = metrics_over_time(camp["actors"], camp["participations"], camp["events"],
    ...                           camp.tables.get("ties"), granularity="year")  # doctest: +SKIP
    """
    if graphs is None:
        if actors is None or participations is None or events is None:
            raise ValueError("metrics_over_time needs actors, participations and events, or graphs")
        graphs = graphs_over_time(
            actors, participations, events, ties, granularity=granularity, **build_options
        )
    rows = []
    for year in sorted(graphs):
        G = graphs[year]
        first, last = G.graph.get("period") or (year, year)
        row = {"year": int(year), "first": first, "last": last}
        row.update(
            graph_metrics(G, attribute=attribute, seed=seed, exact_max_nodes=exact_max_nodes, k=k)
        )
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- one actor


_ARRAYS = "_arrays"  # G.graph key of the arrays build_graph keeps (see _edge_arrays)


def _edge_arrays(G: nx.Graph, weight: str | None = None):
    """Nodes (in ``G``'s order), their index, and the edges as integer arrays ``u, v, w``.

    A graph from :func:`build_graph` carries these arrays (``G.graph["_arrays"]``, in the
    order of ``G.nodes`` and ``G.edges``, computed while building it), so that every
    measure does not walk 400,000 ties in Python again. They are used only while the
    graph still has the same nodes, in the same order, and the same number of ties
    (a subgraph view shares ``G.graph`` but not its nodes); graphs from build_graph are
    meant to be read, not edited in place.
    """
    cached = G.graph.get(_ARRAYS)
    if cached is not None and weight in (None, "weight"):
        nodes, u, v, w = cached
        if len(u) == G.number_of_edges() and len(nodes) == G.number_of_nodes() and list(G) == nodes:
            index = {x: i for i, x in enumerate(nodes)}
            return list(nodes), index, u.copy(), v.copy(), (w.copy() if weight else np.ones(len(u)))
    nodes = list(G.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    m = G.number_of_edges()
    u = np.empty(m, np.int64)
    v = np.empty(m, np.int64)
    w = np.ones(m)
    if weight is None:
        for i, (a, b) in enumerate(G.edges()):
            u[i], v[i] = index[a], index[b]
    else:
        for i, (a, b, x) in enumerate(G.edges(data=weight, default=1.0)):
            u[i], v[i], w[i] = index[a], index[b], x
    return nodes, index, u, v, w


def _degrees(G: nx.Graph, weight: str | None = None) -> dict:
    """Degree (or strength, with ``weight``) of every node, as networkx counts it, from the arrays."""
    nodes, _, u, v, w = _edge_arrays(G, weight)
    n = len(nodes)
    d = np.bincount(u, w, minlength=n) + np.bincount(v, w, minlength=n)  # a self-loop counts twice
    return dict(zip(nodes, (d.astype(np.int64) if weight is None else d).tolist(), strict=True))


def _neighbours(G: nx.Graph, node: Hashable) -> list:
    """The neighbours of ``node`` (from the arrays: an ActorNetwork keeps its dicts unbuilt)."""
    nodes, index, u, v, _ = _edge_arrays(G)
    i = index[node]
    return [nodes[j] for j in np.unique(np.concatenate([v[u == i], u[v == i]])).tolist()]


def _symmetric(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> sparse.csr_matrix:
    off = u != v
    rows = np.concatenate([u, v[off]])
    cols = np.concatenate([v, u[off]])
    return sparse.csr_matrix((np.concatenate([w, w[off]]), (rows, cols)), shape=(n, n))


def _adjacency(G: nx.Graph) -> tuple[sparse.csr_matrix, list, dict]:
    """Binary adjacency (CSR, float) of ``G`` in node order, the nodes and their index."""
    nodes, index, u, v, _ = _edge_arrays(G)
    return _symmetric(len(nodes), u, v, np.ones(len(u))), nodes, index


def _igraph(n: int, u: np.ndarray, v: np.ndarray) -> ig.Graph:
    return ig.Graph(n=n, edges=list(zip(u.tolist(), v.tolist(), strict=True)))


@contextlib.contextmanager
def _igraph_seeded(seed: int):
    """igraph draws from a private ``random.Random(seed)`` meanwhile (not the global one)."""
    ig.set_random_number_generator(random.Random(int(seed)))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def _louvain(g: ig.Graph, weights, seed: int, resolution: float = 1.0) -> list[int]:
    """igraph's multilevel (Louvain) membership, seeded through a private random generator."""
    with _igraph_seeded(seed):
        return g.community_multilevel(weights=weights, resolution=resolution).membership


def _constraint_one(A: sparse.csr_matrix, i: int) -> float:
    """Burt's constraint of node ``i`` on a symmetric adjacency (networkx's formula)."""
    deg = np.asarray(A.sum(axis=1)).ravel()
    if deg[i] == 0:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        P = sparse.diags(np.where(deg > 0, 1.0 / deg, 0.0)) @ A  # row-normalised mutual weights
    row = P.getrow(i)
    total = (row + row @ P).toarray().ravel()
    nbrs = A.getrow(i).indices
    nbrs = nbrs[nbrs != i]
    return float((total[nbrs] ** 2).sum())


def _rank(values: Mapping, node) -> int:
    own = values[node]
    return int(1 + sum(1 for v in values.values() if v > own))


def broker_profile(
    G: nx.Graph,
    node: Hashable,
    *,
    attribute: str = "category",
    seed: int = 0,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    k: int | None = None,
    betweenness_result: BetweennessResult | None = None,
) -> pd.DataFrame:
    """Brokerage profile of one actor (by default in notebooks, the evaluated structure).

    Parameters
    ----------
    G : Graph
        An actor network from :func:`build_graph`.
    node : actor_id
        The actor to profile.
    attribute : str
        Node attribute whose boundaries define "crossing" ties.
    seed, exact_max_nodes, k
        Betweenness options (see :func:`betweenness`).
    betweenness_result : BetweennessResult, optional
        Reuse a betweenness already computed on ``G``.

    Returns
    -------
    DataFrame
        One row per measure: ``measure``, ``value``, ``rank`` (1 = highest, ties share the
        best rank; for degree, strength, betweenness, eigenvector), ``n_nodes`` and
        ``method``. Measures: ``degree``, ``strength`` (sum of weights), ``betweenness``
        (normalised), ``eigenvector`` (binary graph), ``effective_size`` and ``constraint``
        (Burt 1992; networkx's definitions, binary graph: a high effective size and a low
        constraint mean the actor spans structural holes), ``cross_share`` (share of its
        ties to another ``attribute`` value) and ``groups_reached`` (distinct values among
        its neighbours).

    Examples
    --------
    >>> G = nx.star_graph(3)
    >>> nx.set_node_attributes(G, "x", "category")
    >>> broker_profile(G, 0).set_index("measure").loc["betweenness", ["value", "rank"]].tolist()
    [1.0, 1.0]
    """
    if node not in G:
        raise ValueError(f"actor {node!r} is not in the network of this period")
    n = G.number_of_nodes()
    A, nodes, index = _adjacency(G)
    if betweenness_result is None:
        betweenness_result = _betweenness_arrays(A, nodes, exact_max_nodes, k, seed)
    bet = betweenness_result
    degree = _degrees(G)
    strength = _degrees(G, "weight")
    eig = dict(zip(nodes, _eigenvector_arrays(A).tolist(), strict=True))
    eff = _effective_size_one(A, index[node])
    rows = [
        ("degree", degree[node], _rank(degree, node), "exact"),
        ("strength", strength[node], _rank(strength, node), "exact"),
        ("betweenness", bet.values[node], _rank(bet.values, node), bet.method),
        ("eigenvector", eig[node], _rank(eig, node), "exact"),
        ("effective_size", eff, np.nan, "exact"),
        ("constraint", _constraint_one(A, index[node]), np.nan, "exact"),
        ("cross_share", cross_share(G, node, attribute), np.nan, "exact"),
        ("groups_reached", len({G.nodes[m].get(attribute) for m in _neighbours(G, node)}), np.nan, "exact"),
    ]
    out = pd.DataFrame(rows, columns=["measure", "value", "rank", "method"])
    out["value"] = out["value"].astype(float)
    out["rank"] = out["rank"].astype("Int64")
    out.insert(3, "n_nodes", n)
    return out


def _eigenvector_arrays(A: sparse.csr_matrix) -> np.ndarray:
    """Eigenvector centrality of a binary graph on its giant component, 0 elsewhere.

    The same ARPACK call as :func:`networkx.eigenvector_centrality_numpy` (leading
    eigenvector, unit norm, positive), made on the giant component's adjacency directly.
    Eigenvector centrality is not defined consistently across components, so it is
    computed on the largest one (unit norm there) and is 0 elsewhere.
    """
    n = A.shape[0]
    values = np.zeros(n)
    if A.nnz == 0:
        return values
    _, labels = csgraph.connected_components(A, directed=False)
    giant = np.flatnonzero(labels == np.argmax(np.bincount(labels)))
    if len(giant) < 3:
        values[giant] = 1 / np.sqrt(len(giant))
        return values
    sub = A[giant][:, giant]
    _, vec = sparse_linalg.eigs(sub.T, k=1, which="LR", maxiter=50, tol=0)
    largest = vec.flatten().real
    values[giant] = np.abs(largest / (np.sign(largest.sum()) * np.linalg.norm(largest)))
    return values


def _eigenvector(G: nx.Graph) -> dict:
    """Eigenvector centrality of the binary graph (see :func:`_eigenvector_arrays`)."""
    A, nodes, _ = _adjacency(G)
    return dict(zip(nodes, _eigenvector_arrays(A).tolist(), strict=True))


def _effective_size_one(A: sparse.csr_matrix, i: int) -> float:
    """Burt's effective size of node ``i``, binary graph: ``n - 2t/n`` (Borgatti 1997).

    ``n`` neighbours and ``t`` ties among them: networkx's formula for unweighted graphs.
    """
    nbrs = A.indices[A.indptr[i] : A.indptr[i + 1]]
    nbrs = nbrs[nbrs != i]
    if len(nbrs) == 0:
        return float("nan")
    sub = A[nbrs][:, nbrs]
    ties = (sub.nnz - sub.diagonal().astype(bool).sum()) / 2
    return float(len(nbrs) - 2 * ties / len(nbrs))


# --------------------------------------------------------------------------- dependence


def _efficiency(A: sparse.csr_matrix, sources: np.ndarray | None, chunk: int = 128,
                sparse_below: float = 0.1, sparse_from: int = 20_000) -> float:
    """Global efficiency (Latora & Marchiori 2001) of a binary graph; mean over ``sources``.

    Level-synchronous breadth-first search from a block of sources at once (one sparse
    product per level), which gives the same distances as a BFS per source, much faster.
    A level whose frontier holds less than ``sparse_below`` of the (nodes x sources)
    entries is expanded by a sparse product (the first level, and the long thin tail
    after a hub has reached nearly everyone at level 2: twice as fast at scale 100), on
    graphs of ``sparse_from`` nodes or more (below, the dense products are faster).
    """
    n = A.shape[0]
    if n < 2:
        return 0.0
    idx = np.arange(n) if sources is None else np.asarray(sources)
    if len(idx) == 0:
        return 0.0
    adj = A.astype(np.float32)
    total = 0.0
    for start in range(0, len(idx), chunk):
        block = idx[start : start + chunk]
        frontier = np.zeros((n, len(block)), dtype=bool)
        frontier[block, np.arange(len(block))] = True
        seen = frontier.copy()
        level = 0
        while (count := int(frontier.sum())) > 0:
            level += 1
            if n >= sparse_from and count < sparse_below * frontier.size:  # thin: a sparse product
                rows, cols = np.nonzero(frontier)
                step = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=frontier.shape)
                frontier = (adj @ step).toarray() > 0
            else:
                frontier = (adj @ frontier.astype(np.float32)) > 0
            frontier &= ~seen
            seen |= frontier
            total += frontier.sum() / level
    return float(total / (len(idx) * (n - 1)))


def _state(A: sparse.csr_matrix, keep: np.ndarray, sources_full: np.ndarray | None) -> dict:
    sub = A[keep][:, keep]
    n = sub.shape[0]
    n_comp, labels = csgraph.connected_components(sub, directed=False)
    giant = np.bincount(labels).max() / n if n else 0.0
    if sources_full is None:
        sources = None
    else:
        position = np.cumsum(keep) - 1
        sources = position[sources_full[keep[sources_full]]]
    return {
        "giant_share": giant,
        "components": float(n_comp),
        "global_efficiency": _efficiency(sub, sources),
    }


_DEPENDENCE_MEASURES = ("giant_share", "components", "global_efficiency")


def _mc_se(p: float, n: int) -> float:
    return float(np.sqrt(p * (1 - p) / n)) if n > 0 and np.isfinite(p) else float("nan")


#: Smallest network whose null draws are computed in threads by default: below, a draw
#: takes milliseconds and threads only add overhead (and compete with the other kernels).
THREADS_FROM_NODES = 5_000


def _draw_workers(workers: int | None, n_nodes: int) -> int | None:
    """``workers`` as given; by default threads (:func:`rd_methods.montecarlo.default_workers`)
    from :data:`THREADS_FROM_NODES` actors, one below."""
    if workers is not None:
        return workers
    return None if n_nodes >= THREADS_FROM_NODES else 1


def dependence(
    G: nx.Graph,
    node: Hashable,
    *,
    null: str = "bipartite",
    n_baseline: int = 200,
    seed: int = 0,
    efficiency_sources: int = EXACT_EFFICIENCY_MAX_NODES,
    degree_tolerance: float = DEGREE_TOLERANCE,
    n_trades: int | None = None,
    rewires_per_edge: float = 10.0,
    exceedances: int | None = EXCEEDANCES,
    min_draws: int = MIN_DRAWS,
    workers: int | None = None,
) -> pd.DataFrame:
    """How much the network's structure depends on one actor, against a null model.

    The actor is removed and three measures are recomputed: the giant component's share of
    the remaining actors, the number of components and the global efficiency (mean inverse
    shortest-path length, Latora & Marchiori 2001). The estimate is the damage done by the
    removal: the *drop* in giant share and efficiency, the *rise* in the number of
    components. It is compared with a baseline of ``n_baseline`` damages:

    * ``null="bipartite"`` (default): the same actor removed from networks rebuilt from a
      randomised actor x event incidence (:func:`curveball`: every actor keeps its number
      of events, every event its size, organisers and speakers their events), projected
      with the graph's own rule, direct ties kept. It asks whether the network hangs on
      the actor more than it would if the same events were attended at random. Needs a
      graph from :func:`build_graph`.
    * ``null="projected"``: the same actor removed from degree-preserving rewirings of the
      projected graph (Maslov & Sneppen 2002, igraph). Rewiring breaks the cliques events
      create, so it flatters any actor whose ties are organised by events; kept for
      comparison.
    * ``null="degree_matched"``: other actors of comparable degree (within
      ``degree_tolerance``, relative) removed from the observed network.

    When the baseline has nothing comparable (no actor of comparable degree; or a null
    model that cannot produce any network other than the observed one), ``comparable`` is False, the baseline columns
    and the p-value are NaN and ``note`` says so in French: the dependence is then *not
    assessable*, which is not the same as absent.

    Parameters
    ----------
    G : Graph
        An actor network (from :func:`build_graph` for the bipartite null).
    node : actor_id
        The actor whose removal is tested.
    null : {"bipartite", "projected", "degree_matched"}
        The null model (see above).
    n_baseline : int
        Most null networks drawn (bipartite, projected), or comparable actors removed (at
        most the pool, without replacement).
    seed : int
        Seed of the null draws and of the efficiency source sample.
    efficiency_sources : int
        Above this many nodes, efficiency is the mean over that many seeded source nodes
        (the same sources in every removal, so differences are not sampling noise).
    degree_tolerance : float
        ``"degree_matched"``: comparable actors have a degree within this relative
        distance of the actor's (0.25: ±25 %).
    n_trades, rewires_per_edge
        Mixing of the bipartite (:func:`curveball`) and projected nulls.
    exceedances, min_draws
        Sequential stopping of the null draws (:func:`rd_methods.montecarlo.sequential_test`,
        Besag & Clifford 1991): a measure stops once ``exceedances`` null draws reach its
        observed damage, and drawing stops when every measure has stopped and at least
        ``min_draws`` draws were made (at most ``n_baseline``). The p-values stay exact;
        an ordinary damage costs a few dozen draws instead of ``n_baseline``, a rare one
        every draw. ``exceedances=None``: always ``n_baseline`` draws.
    workers : int, optional
        Null draws computed at once, in threads (:func:`rd_methods.montecarlo.ordered_map`;
        default: the CPUs available, at most 4, for networks of :data:`THREADS_FROM_NODES`
        actors or more, else 1). Each draw has its own seed: the result does not depend on
        ``workers``.

    Returns
    -------
    DataFrame
        One row per measure: ``measure``, ``with_node``, ``without_node``, ``estimate``
        (damage), ``baseline_mean``, ``baseline_low``, ``baseline_high`` (2.5 % and 97.5 %
        percentiles of the baseline damages), ``p_value`` (one-sided: ``(1 + #{baseline >=
        estimate}) / (n + 1)`` after ``n`` draws, or ``h / L`` when the ``h``-th draw reaching
        the estimate came at draw ``L``), ``p_mc_se`` (Monte Carlo standard error of that
        p-value, ``sqrt(p (1 - p) / L)``), ``min_p`` (smallest attainable, ``1 / (n_baseline
        + 1)``), ``p_draws`` (the draws behind the p-value), ``outside`` (estimate outside
        the interval), ``n_baseline`` (draws made), ``max_baseline`` (the most allowed),
        ``exceedances`` (the sequential rule's ``h``; NaN without early stop),
        ``pool`` (comparable actors, or null draws), ``null``, ``comparable``, ``note``
        (French, when not comparable), ``efficiency_method``.

    Notes
    -----
    Assumption: the network is a fixed picture; removing an actor removes its ties and
    nothing rewires (a *static* robustness test, Albert, Jeong & Barabási 2000). The
    bipartite null follows the two-mode logic of Borgatti & Everett (1997) and the
    curveball algorithm of Strona, Nappo, Boccacci, Fattorini & San-Miguel-Ayanz (2014).

    Examples
    --------
    >>> G = nx.barbell_graph(5, 1)  # two cliques joined through node 5
    >>> dep = dependence(G, 5, null="degree_matched", n_baseline=20, degree_tolerance=1.0)
    >>> float(dep.set_index("measure").loc["components", "estimate"])
    1.0
    """
    if null not in NULL_MODELS:
        raise ValueError(f"null must be one of {NULL_MODELS}, got {null!r}")
    if node not in G:
        raise ValueError(f"actor {node!r} is not in the network of this period")
    if n_baseline < 1:
        raise ValueError("n_baseline must be at least 1")
    A, nodes, index = _adjacency(G)
    A = sparse.csr_matrix(A)
    A.sort_indices()
    n = len(nodes)
    if n < 3:
        raise ValueError("the network needs at least 3 actors to test a removal")
    rng = np.random.default_rng(seed)
    if n > efficiency_sources:
        sources = np.sort(rng.choice(n, size=efficiency_sources, replace=False))
        eff_method = f"sampled ({efficiency_sources} sources)"
    else:
        sources, eff_method = None, "exact"
    focal = index[node]
    everyone = np.ones(n, bool)
    without = everyone.copy()
    without[focal] = False

    def damage(M: sparse.csr_matrix, keep: np.ndarray, before: dict | None = None):
        before = _state(M, everyone, sources) if before is None else before
        after = _state(M, keep, sources)
        return before, after, {
            "giant_share": before["giant_share"] - after["giant_share"],
            "components": after["components"] - before["components"],
            "global_efficiency": before["global_efficiency"] - after["global_efficiency"],
        }

    base, after, est = damage(A, without)
    note = None
    draws: list[dict] = []
    if null == "degree_matched":
        deg = np.asarray(A.sum(axis=1)).ravel()
        d0 = deg[focal]
        close = np.abs(deg - d0) <= degree_tolerance * d0
        close[focal] = False
        pool_idx = np.flatnonzero(close)
        pool = len(pool_idx)
        if pool:
            drawn = rng.choice(pool_idx, size=min(n_baseline, pool), replace=False)
            for i in drawn:
                keep = everyone.copy()
                keep[int(i)] = False
                draws.append(damage(A, keep, base)[2])
        else:
            note = (
                "Aucun autre acteur n'a un nombre de liens comparable "
                f"(à ±{round(100 * degree_tolerance)} % de {int(d0)}) : la dépendance ne peut pas "
                "être comparée à celle d'acteurs semblables, elle n'est pas évaluable par ce test."
            )
    else:
        moved = 0

        def null_damage(draw) -> tuple[bool, list[float]]:
            M = draw()
            damages = damage(M, without)[2]
            return (M != A).nnz > 0, [damages[m] for m in _DEPENDENCE_MEASURES]

        def null_damages():
            nonlocal moved
            nulls = _null_draws(G, null, n_baseline, seed=int(rng.integers(2**31)), n_trades=n_trades,
                                rewires_per_edge=rewires_per_edge, _observed=(A, nodes, index))
            for changed, row in ordered_map(null_damage, nulls, workers=_draw_workers(workers, n)):
                moved += changed
                yield row

        seq = sequential_test([est[m] for m in _DEPENDENCE_MEASURES], null_damages(), n_max=n_baseline,
                              exceedances=exceedances, min_draws=min_draws)
        draws = [dict(zip(_DEPENDENCE_MEASURES, row, strict=True)) for row in seq.draws.tolist()]
        pool = len(draws)
        if moved == 0:
            draws = []
            note = (
                "Le modèle nul ne produit aucun réseau différent du réseau observé : aucune "
                "configuration comparable n'existe, la dépendance n'est pas évaluable par ce test."
            )
    if null == "degree_matched" and draws:
        b = np.array([[d[m] for m in _DEPENDENCE_MEASURES] for d in draws])
        seq = sequential_test([est[m] for m in _DEPENDENCE_MEASURES], b, exceedances=None)
    comparable = bool(draws)
    baseline = pd.DataFrame(draws, columns=list(_DEPENDENCE_MEASURES))
    rows = []
    for j, measure in enumerate(_DEPENDENCE_MEASURES):
        b = baseline[measure].to_numpy(dtype=float)
        if comparable:
            low, high = np.percentile(b, [2.5, 97.5])
            stats = dict(baseline_mean=float(b.mean()), baseline_low=float(low),
                         baseline_high=float(high), p_value=float(seq.p_value[j]),
                         p_mc_se=float(seq.p_mc_se[j]), min_p=seq.min_p, p_draws=int(seq.used[j]),
                         outside=bool(est[measure] > high or est[measure] < low))
        else:
            stats = dict(baseline_mean=np.nan, baseline_low=np.nan, baseline_high=np.nan,
                         p_value=np.nan, p_mc_se=np.nan, min_p=np.nan, p_draws=0, outside=False)
        rows.append(
            {
                "measure": measure,
                "with_node": base[measure],
                "without_node": after[measure],
                "estimate": est[measure],
                **stats,
                "n_baseline": len(b),
                "max_baseline": int(n_baseline),
                "exceedances": np.nan if null == "degree_matched" or exceedances is None else int(exceedances),
                "pool": pool,
                "null": null,
                "comparable": comparable,
                "note": note,
                "efficiency_method": eff_method,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- null models


def curveball(
    incidence: pd.DataFrame,
    *,
    n_trades: int | None = None,
    seed: int = 0,
    keep_hubs: bool = True,
    algorithm: str = "global",
) -> pd.DataFrame:
    """Randomise an actor x event incidence, keeping every event's size and actor's count.

    The curveball algorithm (Strona, Nappo, Boccacci, Fattorini & San-Miguel-Ayanz 2014,
    *Nature Communications* 5: 4114; proved to sample uniformly by Carstens 2015): at each
    *trade* two events are drawn; the actors they share stay, and the actors that only one
    of them has are shuffled between them, each event keeping its number. Every actor
    keeps its number of events and every event its number of participants: the
    degree-preserving null of a two-mode network. With ``keep_hubs`` the organisers and
    speakers (``hub``) stay at their events (who runs an event is a fact of the design,
    who attends is what the null shuffles); an actor is never moved into an event where
    it is already present or a hub.

    Parameters
    ----------
    incidence : DataFrame
        ``event_id, actor_id`` and optionally ``hub`` (bool), one row per pair (e.g.
        ``G.graph["incidence"]`` of :func:`build_graph`).
    n_trades : int, optional
        Number of trades; default 20 per event (the chain mixes in a few trades per row
        in Strona et al.'s tests, so this is generous).
    seed : int
        Seed of the trades.
    keep_hubs : bool
        Keep organisers and speakers at their events.
    algorithm : {"global", "sequential"}
        ``"global"`` (default): *global* curveball (Carstens, Berger & Strona 2016,
        arXiv:1609.05137; Carstens et al. 2018): each round pairs every event with
        another at random and makes all these trades at once, in array code; ``n_trades``
        trades are ``ceil(2 n_trades / events)`` rounds (default 40: each event is traded
        40 times, as in the sequential chain). Same uniform stationary distribution as
        the sequential chain, other draws for a given seed; tens of times faster.
        ``"sequential"``: one trade at a time (Strona et al. 2014), kept for comparison.

    Examples
    --------
    >>> inc = pd.DataFrame({"event_id": list("aabbcc"), "actor_id": [1, 2, 3, 4, 1, 3]})
    >>> out = curveball(inc, seed=1)
    >>> out.groupby("event_id").size().tolist(), out["actor_id"].value_counts().sort_index().tolist()
    ([2, 2, 2], [2, 1, 2, 1])
    """
    _require(incidence, ["event_id", "actor_id"], "incidence")
    inc = incidence.drop_duplicates(["event_id", "actor_id"])
    ev_codes, ev_ids = pd.factorize(inc["event_id"])
    ac_codes, ac_ids = pd.factorize(inc["actor_id"])
    hub = (
        inc["hub"].fillna(False).to_numpy(bool)
        if keep_hubs and "hub" in inc.columns
        else np.zeros(len(inc), bool)
    )
    if algorithm not in ("global", "sequential"):
        raise ValueError(f"algorithm must be 'global' or 'sequential', got {algorithm!r}")
    rng = np.random.default_rng(seed)
    trades = 20 * len(ev_ids) if n_trades is None else n_trades
    if algorithm == "global":
        free_ev = _global_trades(ev_codes[~hub], ac_codes[~hub], ev_codes[hub], ac_codes[hub],
                                 len(ev_ids), len(ac_ids), trades, rng)
        ev_all = np.concatenate([ev_codes[hub], free_ev])
        ac_all = np.concatenate([ac_codes[hub], ac_codes[~hub]])
        out = pd.DataFrame({
            "event_id": np.asarray(ev_ids, dtype=object)[ev_all],
            "actor_id": np.asarray(ac_ids, dtype=object)[ac_all],
            "hub": np.concatenate([np.ones(int(hub.sum()), bool), np.zeros(int((~hub).sum()), bool)]),
        })
        return out.sort_values(["event_id", "actor_id"], ignore_index=True)
    free, hubs = _event_sets(ev_codes, ac_codes, hub, len(ev_ids))
    free = _trades(free, hubs, trades, rng)
    ev_out, ac_out, hub_out = [], [], []
    for e in range(len(ev_ids)):
        for group, flag in ((hubs[e], True), (free[e], False)):
            members = sorted(group)
            ev_out += [e] * len(members)
            ac_out += members
            hub_out += [flag] * len(members)
    out = pd.DataFrame(
        {
            "event_id": np.asarray(ev_ids, dtype=object)[np.asarray(ev_out, dtype=np.int64)],
            "actor_id": np.asarray(ac_ids, dtype=object)[np.asarray(ac_out, dtype=np.int64)],
            "hub": np.asarray(hub_out, bool),
        }
    )
    return out.sort_values(["event_id", "actor_id"], ignore_index=True)


def _event_sets(ev: np.ndarray, actor: np.ndarray, hub: np.ndarray, n_ev: int):
    """Per event, the set of its free (shuffled) actors and of its hubs (kept)."""
    free: list[set] = [set() for _ in range(n_ev)]
    hubs: list[set] = [set() for _ in range(n_ev)]
    for e, a, h in zip(ev.tolist(), actor.tolist(), hub.tolist(), strict=True):
        (hubs if h else free)[e].add(a)
    return free, hubs


def _trades(free: list[set], hubs: list[set], n_trades: int, rng: np.random.Generator) -> list[set]:
    """Curveball trades between random pairs of events (a new list; the input is kept)."""
    free = [set(f) for f in free]
    n_ev = len(free)
    if n_ev < 2:
        return free
    pairs = rng.integers(0, n_ev, size=(int(n_trades), 2)).tolist()
    for i, j in pairs:
        if i == j:
            continue
        a, b = free[i], free[j]
        a_only = a - b - hubs[j]
        b_only = b - a - hubs[i]
        if not a_only or not b_only:
            continue
        pool = np.fromiter(a_only | b_only, np.int64)
        rng.shuffle(pool)
        k = len(a_only)
        free[i] = (a - a_only) | set(pool[:k].tolist())
        free[j] = (b - b_only) | set(pool[k:].tolist())
    return free


def _global_trades(free_ev: np.ndarray, free_ac: np.ndarray, hub_ev: np.ndarray, hub_ac: np.ndarray,
                   n_ev: int, n_ac: int, n_trades: int, rng: np.random.Generator) -> np.ndarray:
    """Global curveball: rounds of trades between all events paired at random, in arrays.

    ``free_ev, free_ac`` are the shuffled (event, actor) entries, ``hub_*`` the kept ones.
    In a round every event is paired with another (one left out when their number is
    odd); in each pair the free actors that the other event does not have (at all) are
    pooled, shuffled and dealt back, each event getting as many as it gave. Returns the
    new event of every free entry (actors and their order unchanged). Each pairwise trade
    is the curveball trade of :func:`_trades`; trades within a round touch disjoint
    events, so making them at once is one step of the global curveball chain (Carstens,
    Berger & Strona 2016), which keeps the uniform distribution over incidences with the
    same margins and fixed entries.
    """
    free_ev = np.asarray(free_ev, dtype=np.int64).copy()
    free_ac = np.asarray(free_ac, dtype=np.int64)
    hub_ev, hub_ac = np.asarray(hub_ev, dtype=np.int64), np.asarray(hub_ac, dtype=np.int64)
    actors = np.concatenate([free_ac, hub_ac])
    n_free = len(free_ev)
    half = n_ev // 2
    if half == 0 or len(free_ev) == 0:
        return free_ev
    rounds = int(np.ceil(int(n_trades) / half))
    for _ in range(rounds):
        perm = rng.permutation(n_ev)
        first, second = perm[:half], perm[half : 2 * half]
        partner = np.full(n_ev, -1, dtype=np.int64)
        partner[first], partner[second] = second, first
        pair = np.full(n_ev, -1, dtype=np.int64)
        pair[first] = pair[second] = np.arange(half)
        other = partner[free_ev]
        # an actor is in both events of a pair when its (pair, actor) key appears twice
        # (incidence entries are unique by event and actor): one sort, no search; the order
        # of equal keys does not matter (both are marked), so no stable sort (4x slower)
        keys = np.concatenate([pair[free_ev], pair[hub_ev]]) * n_ac + actors
        by_key = np.argsort(keys)
        sorted_keys = keys[by_key]
        twice = sorted_keys[1:] == sorted_keys[:-1]
        shared = np.zeros(len(keys), bool)
        shared[by_key[1:][twice]] = True
        shared[by_key[:-1][twice]] = True
        present = shared[:n_free]
        tradable = np.flatnonzero((other >= 0) & ~present)
        if len(tradable) == 0:
            continue
        pid = pair[free_ev[tradable]]
        from_first = np.bincount(pid[free_ev[tradable] == first[pid]], minlength=half)
        # shuffled within each pair: sorted by pair, then by a uniform draw (what
        # lexsort((draw, pid)) gives, with one float key instead of two)
        order = np.argsort(pid + rng.random(len(tradable)))
        pid_sorted = pid[order]
        start = np.searchsorted(pid_sorted, np.arange(half))
        position = np.arange(len(order)) - start[pid_sorted]
        free_ev[tradable[order]] = np.where(position < from_first[pid_sorted],
                                            first[pid_sorted], second[pid_sorted])
    return free_ev


def _projection_matrix(
    rows: np.ndarray,
    ev: np.ndarray,
    hub: np.ndarray,
    n: int,
    projection: str,
    max_event_size: int | None,
    direct: sparse.csr_matrix | None = None,
) -> sparse.csr_matrix:
    """Binary adjacency of ``n`` actors from incidence entries (actor row, event code, hub)."""
    n_ev = int(ev.max()) + 1 if len(ev) else 0
    size = np.bincount(ev, minlength=n_ev)
    if projection != "clique" and max_event_size is not None:
        large = size > max_event_size
    else:
        large = np.zeros(n_ev, bool)
    in_large = large[ev]

    def incid(mask: np.ndarray) -> sparse.csr_matrix:
        return sparse.csr_matrix(
            (np.ones(int(mask.sum())), (rows[mask], ev[mask])), shape=(n, n_ev)
        )

    small = incid(~in_large)
    M = small @ small.T
    if projection == "star_large" and large.any():
        S = incid(in_large & hub) @ incid(in_large).T
        M = M + S + S.T
    if direct is not None:
        M = M + direct
    M = _without_loops(M)
    M.data[:] = 1.0
    M.sort_indices()
    return M


def _without_loops(A) -> sparse.csr_matrix:
    """``A`` as a new CSR matrix without its diagonal entries.

    The diagonal entries present are zeroed and dropped; ``setdiag(0)`` would also insert an
    explicit zero for every missing one (scipy's slow path: seconds per matrix at scale 100).
    """
    A = sparse.csr_matrix(A, copy=True)
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    A.data[rows == A.indices] = 0
    A.eliminate_zeros()
    return A


def _direct_matrix(direct: pd.DataFrame | None, index: Mapping, n: int) -> sparse.csr_matrix | None:
    if direct is None or not len(direct):
        return None
    u = direct["u"].map(index).to_numpy(dtype=np.int64)
    v = direct["v"].map(index).to_numpy(dtype=np.int64)
    D = sparse.csr_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    return D + D.T


def _incidence_adjacency(
    incidence: pd.DataFrame,
    index: Mapping,
    n: int,
    projection: str,
    max_event_size: int | None,
    direct: pd.DataFrame | None = None,
) -> sparse.csr_matrix:
    """Binary adjacency (node order of ``index``) of an incidence projected by a rule.

    The same ties as :func:`build_graph` (tested): small events as cliques, large ones as
    stars around their hubs or left out, plus the direct ties.
    """
    ev, _ = pd.factorize(incidence["event_id"])
    rows = incidence["actor_id"].map(index).to_numpy(dtype=np.int64)
    hub = (
        incidence["hub"].to_numpy(bool) if "hub" in incidence.columns else np.zeros(len(ev), bool)
    )
    return _projection_matrix(
        rows, ev, hub, n, projection, max_event_size, _direct_matrix(direct, index, n)
    )


def _rewired(A: sparse.csr_matrix, rng: np.random.Generator, rewires_per_edge: float) -> sparse.csr_matrix:
    """Degree-preserving rewiring (Maslov & Sneppen 2002) of a binary symmetric adjacency:
    igraph's ``Graph.rewire`` (C), ``rewires_per_edge`` x m trials that swap the ends of two
    edges unless that would create a loop or a multiple edge."""
    n = A.shape[0]
    upper = sparse.triu(A, k=1).tocoo()
    m = upper.nnz
    if m < 2 or n < 4:
        return sparse.csr_matrix(A, dtype=float)
    g = ig.Graph(n=n, edges=np.column_stack([upper.row, upper.col]).tolist())
    with _igraph_seeded(int(rng.integers(2**31))):
        g.rewire(n=max(1, int(round(rewires_per_edge * m))), allowed_edge_types="simple")
    edges = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    u = np.concatenate([edges[:, 0], edges[:, 1]])
    v = np.concatenate([edges[:, 1], edges[:, 0]])
    out = sparse.csr_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    out.sort_indices()
    return out


def null_adjacencies(
    G: nx.Graph,
    null: str = "bipartite",
    n: int = 100,
    *,
    seed: int = 0,
    n_trades: int | None = None,
    rewires_per_edge: float = 10.0,
    _observed=None,
):
    """Binary adjacencies (CSR, in ``G``'s node order) of ``n`` seeded null networks.

    ``"bipartite"``: the period's incidence randomised by :func:`curveball`, projected with
    ``G``'s rule and threshold, direct ties kept (needs a graph from :func:`build_graph`);
    ``"projected"``: degree-preserving rewirings of ``G`` itself. A generator.

    Examples
    --------
    >>> A = next(null_adjacencies(nx.cycle_graph(8), "projected", 1))
    >>> A.shape, int(A.sum())
    ((8, 8), 16)
    """
    return (draw() for draw in _null_draws(G, null, n, seed=seed, n_trades=n_trades,
                                           rewires_per_edge=rewires_per_edge, _observed=_observed))


def _null_draws(G: nx.Graph, null: str, n: int, *, seed: int = 0, n_trades: int | None = None,
                rewires_per_edge: float = 10.0, _observed=None):
    """The draws of :func:`null_adjacencies` as calls that make them (for :func:`ordered_map`).

    Bipartite draws are independent calls, each with its own seed (taken in order from
    ``seed``), which may run in any order or at once; projected rewirings share one
    generator and are made in order as the calls are handed out.
    """
    if null not in ("bipartite", "projected"):
        raise ValueError(f"null must be 'bipartite' or 'projected', got {null!r}")
    A, nodes, index = _observed if _observed is not None else _adjacency(G)
    if null == "projected":
        rng = np.random.default_rng(seed)
        for _ in range(n):
            M = _rewired(A, rng, rewires_per_edge)
            yield lambda M=M: M
        return
    for draw in _bipartite_draws([G], n, seed=seed, n_trades=n_trades, _observed=(A, nodes, index)):
        yield lambda draw=draw: draw()[0]


def _bipartite_draws(graphs: Sequence[nx.Graph], n: int, *, seed: int = 0, n_trades: int | None = None,
                     _observed=None):
    """``n`` curveball draws of the incidence, each projected under every graph's rule.

    ``graphs`` are networks of the same period and actors (from :func:`build_graph`, e.g.
    one per projection rule): one randomised incidence serves them all. Yields ``n``
    independent calls (each with its own seed, taken in order from ``seed``), each of
    which returns a list of binary adjacencies (CSR, in the first graph's node order),
    one per graph.
    """
    G = graphs[0]
    A, nodes, index = _observed if _observed is not None else _adjacency(G)
    rng = np.random.default_rng(seed)
    inc = G.graph.get("incidence")
    if inc is None:
        raise ValueError(
            "the bipartite null needs the actor x event incidence: build the graph with "
            "build_graph, or use null='projected'"
        )
    rules = [(H.graph.get("projection", DEFAULT_PROJECTION), H.graph.get("max_event_size", DEFAULT_MAX_EVENT_SIZE),
              _direct_matrix(H.graph.get("direct_ties"), index, len(nodes))) for H in graphs]
    ev, _ = pd.factorize(inc["event_id"])
    rows = inc["actor_id"].map(index).to_numpy(dtype=np.int64)
    n_ev = int(ev.max()) + 1 if len(ev) else 0
    is_hub = inc["hub"].to_numpy(bool)
    hub_ev, hub_rows = ev[is_hub].astype(np.int64), rows[is_hub]
    start_ev, free_rows = ev[~is_hub].astype(np.int64), rows[~is_hub]
    trades = 20 * n_ev if n_trades is None else n_trades
    all_rows = np.concatenate([hub_rows, free_rows])
    hub_flags = np.concatenate([np.ones(len(hub_ev), bool), np.zeros(len(start_ev), bool)])

    def one(draw_seed: int) -> list[sparse.csr_matrix]:
        free_ev = _global_trades(start_ev, free_rows, hub_ev, hub_rows, n_ev, len(nodes), trades,
                                 np.random.default_rng(draw_seed))
        events = np.concatenate([hub_ev, free_ev])
        return [_projection_matrix(all_rows, events, hub_flags, len(nodes), projection, threshold, D)
                for projection, threshold, D in rules]

    for _ in range(n):
        yield functools.partial(one, int(rng.integers(2**31)))


# --------------------------------------------------------------------------- brokerage roles


def brokerage_roles(G: nx.Graph, attribute: str = "category") -> pd.DataFrame:
    """Gould & Fernandez brokerage roles of every actor, for an undirected network.

    Every *open two-path* ``a – v – c`` (``a`` and ``c`` both tied to ``v`` and not to each
    other) is a brokerage opportunity of ``v``, counted once per unordered pair, and typed
    by the groups (``attribute``) of the three actors (Gould & Fernandez 1989,
    *Sociological Methodology* 19: 89–126, whose directed gatekeeper and representative
    roles merge into ``boundary`` when ties have no direction):

    * ``coordinator``: all three in the same group;
    * ``itinerant``: the two ends share a group that is not the broker's;
    * ``boundary``: one end shares the broker's group, the other not (gatekeeper or
      representative);
    * ``liaison``: three different groups;
    * ``total``: all open two-paths (Burt's non-redundant pairs).

    Counted from the neighbourhood of each actor: all pairs of neighbours by group
    composition, minus the pairs that are tied (closed triads, counted from the triangles
    by the groups of their nodes, with degree-oriented sparse products that stay small
    around hubs: :func:`_closed_pairs_by_role`; tested against a brute-force enumeration).
    Missing groups form a group of their own.

    Returns
    -------
    DataFrame
        One row per actor, sorted by ``actor_id``: ``actor_id``, ``group``,
        ``coordinator``, ``itinerant``, ``boundary``, ``liaison``, ``total``.

    Examples
    --------
    A broker ``v`` (group x) tied to ``a`` (x), ``b`` (x), ``c`` (y), ``d`` (y), ``e`` (z),
    with ``a``–``b`` tied::

        a(x) ─ b(x)
          \\   /
           v(x) ── e(z)
          /   \\
        c(y)   d(y)

    Open pairs of ``v``: a–c, a–d, b–c, b–d, a–e, b–e (boundary: 6), c–d (itinerant: 1),
    c–e, d–e (liaison: 2); a–b is closed, so no coordinator.

    >>> G = nx.Graph([("v", x) for x in "abcde"] + [("a", "b")])
    >>> nx.set_node_attributes(G, dict(v="x", a="x", b="x", c="y", d="y", e="z"), "category")
    >>> brokerage_roles(G).set_index("actor_id").loc["v", ["coordinator", "itinerant", "boundary",
    ...                                                   "liaison", "total"]].astype(int).tolist()
    [0, 1, 6, 2, 9]
    """
    A, nodes, _ = _adjacency(G)
    A = _without_loops(A)
    A.sort_indices()
    groups = pd.Series([G.nodes[v].get(attribute) for v in nodes], dtype=object)
    codes, labels = pd.factorize(groups, use_na_sentinel=False)
    n, n_groups = len(nodes), len(labels)
    own = np.arange(n)
    onehot = sparse.csr_matrix((np.ones(n), (own, codes)), shape=(n, max(n_groups, 1)))
    cnt = np.rint((A @ onehot).toarray()).astype(np.int64)  # neighbours of v in each group
    k = cnt.sum(axis=1)
    mine = cnt[own, codes] if n else np.zeros(0, np.int64)
    # every pair of neighbours, by the groups of its ends
    same = cnt * (cnt - 1) // 2
    coord = same[own, codes] if n else np.zeros(0, np.int64)
    itin = same.sum(axis=1) - coord
    cross = (k * k - (cnt**2).sum(axis=1)) // 2
    bound = mine * (k - mine)
    liai = cross - bound
    # minus the closed ones (tied neighbours), counted from the triangles: each triangle
    # closes one pair of neighbours for each of its three nodes (_closed_pairs_by_role)
    closed = _closed_pairs_by_role(A, codes, n_groups)
    c_coord, c_itin, c_bound, c_liai = closed.T
    out = np.column_stack([coord - c_coord, itin - c_itin, bound - c_bound, liai - c_liai])
    frame = pd.DataFrame(out, columns=list(BROKERAGE_ROLES))
    frame.insert(0, "group", [None if pd.isna(g) else g for g in groups])
    frame.insert(0, "actor_id", nodes)
    frame["total"] = frame[list(BROKERAGE_ROLES)].sum(axis=1)
    order = np.argsort(np.asarray([str(v) for v in nodes], dtype=object), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _role_of_pair(broker: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """0 coordinator, 1 itinerant, 2 boundary, 3 liaison: a pair of groups ``p, q`` for a broker's group."""
    same = p == q
    touches = (p == broker) | (q == broker)
    return np.where(same, np.where(p == broker, 0, 1), np.where(touches, 2, 3))


def _closed_pairs_by_role(A: sparse.csr_matrix, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Closed pairs of neighbours of every node (tied to each other), by Gould & Fernandez role.

    Every triangle ``{x, y, z}`` closes the pair ``(y, z)`` of ``x``, ``(x, z)`` of ``y`` and
    ``(x, y)`` of ``z``. Ties are oriented from lower to higher (degree, index) rank, so each
    triangle ``x < y < z`` is seen once, and counted by middle node group ``k`` with
    ``(L D_k L) * L`` at ``(x, z)`` (closing a pair for ``x`` and for ``z``) and by bottom
    node group ``k`` with ``(L' D_k L) * L`` at ``(y, z)`` (for ``y``). With the hubs at the top
    of the order these products stay small (a node's higher-ranked neighbours are few),
    where products of the whole adjacency grow with the square of the hubs' degrees.
    Returns an (n, 4) array: coordinator, itinerant, boundary, liaison.
    """
    n = A.shape[0]
    out = np.zeros((n, 4), np.int64)
    if n == 0 or A.nnz == 0:
        return out
    deg = np.asarray(A.sum(axis=1)).ravel()
    rank = np.empty(n, np.int64)
    rank[np.lexsort((np.arange(n), deg))] = np.arange(n)
    upper = sparse.triu(A, k=1).tocoo()
    swap = rank[upper.row] > rank[upper.col]
    low, high = np.where(swap, upper.col, upper.row), np.where(swap, upper.row, upper.col)
    L = sparse.csr_matrix((np.ones(len(low)), (low, high)), shape=(n, n))
    LT = sparse.csr_matrix(L.T)
    codes = np.asarray(codes, dtype=np.int64)

    def add(broker: np.ndarray, p: np.ndarray, q: np.ndarray, count: np.ndarray) -> None:
        role = _role_of_pair(codes[broker], p, q)
        out[:, :] += np.bincount(broker * 4 + role, weights=count, minlength=4 * n).reshape(n, 4).astype(np.int64)

    for k in range(n_groups):
        Dk = sparse.diags((codes == k).astype(float))
        left = sparse.csr_matrix(L @ Dk)  # x -> y, y in group k
        for rows in _row_blocks(left, L):
            P = (left[rows] @ L).multiply(L[rows]).tocoo()  # (x, z): middle nodes y of group k
            x, z = P.row.astype(np.int64) + rows.start, P.col.astype(np.int64)
            count = np.rint(P.data)
            kk = np.full(len(x), k, np.int64)
            add(x, kk, codes[z], count)  # x closes (y, z)
            add(z, codes[x], kk, count)  # z closes (x, y)
        left = sparse.csr_matrix(LT @ Dk)  # y <- x, x in group k
        for rows in _row_blocks(left, L):
            Q = (left[rows] @ L).multiply(L[rows]).tocoo()  # (y, z): bottom nodes x of group k
            y, z = Q.row.astype(np.int64) + rows.start, Q.col.astype(np.int64)
            add(y, np.full(len(y), k, np.int64), codes[z], np.rint(Q.data))  # y closes (x, z)
    return out


def _roles_one(A: sparse.csr_matrix, codes: np.ndarray, v: int) -> np.ndarray:
    """Gould & Fernandez counts (coordinator, itinerant, boundary, liaison) of node ``v``.

    The ties among ``v``'s neighbours are counted by pair of groups with one sparse
    product, ``X' A X`` (``X`` the neighbours' group indicators), not by extracting the
    neighbours' subgraph: an actor at nearly every event has nearly everyone as neighbour.
    """
    nbrs = A.indices[A.indptr[v] : A.indptr[v + 1]]
    nbrs = nbrs[nbrs != v]
    k = len(nbrs)
    if k < 2:
        return np.zeros(4, np.int64)
    gv = codes[v]
    n_groups = int(codes.max()) + 1
    cnt = np.bincount(codes[nbrs], minlength=n_groups).astype(np.int64)
    same = cnt * (cnt - 1) // 2
    coord, itin = same[gv], same.sum() - same[gv]
    bound = cnt[gv] * (k - cnt[gv])
    liai = (k * k - (cnt**2).sum()) // 2 - bound
    X = sparse.csr_matrix((np.ones(k), (nbrs, codes[nbrs])), shape=(A.shape[0], n_groups))
    E = np.rint((X.T @ (A @ X)).toarray()).astype(np.int64)  # ordered tied pairs by groups
    loops = np.bincount(codes[nbrs], weights=A.diagonal()[nbrs], minlength=n_groups)
    E[np.diag_indices(n_groups)] -= np.rint(loops).astype(np.int64)  # a self-tie pairs no one
    inside = np.diag(E) // 2  # ties within each group (each seen twice)
    c_coord = inside[gv]
    c_itin = inside.sum() - c_coord
    c_bound = E[gv].sum() - E[gv, gv]
    c_liai = (E.sum() - np.trace(E)) // 2 - c_bound
    return np.array([coord - c_coord, itin - c_itin, bound - c_bound, liai - c_liai], dtype=np.int64)


def brokerage_test(
    G: nx.Graph,
    node: Hashable,
    *,
    attribute: str = "category",
    null: str = "bipartite",
    n_null: int = 100,
    seed: int = 0,
    n_trades: int | None = None,
    exceedances: int | None = EXCEEDANCES,
    min_draws: int = MIN_DRAWS,
    workers: int | None = None,
) -> pd.DataFrame:
    """Does the actor broker between groups more than the same events attended at random?

    The actor's Gould & Fernandez counts (:func:`brokerage_roles`) in the observed network
    against the same actor in ``n_null`` null networks (:func:`null_adjacencies`: by
    default the bipartite curveball null, projected with the graph's own rule). If groups
    meet each other only through the actor, its open two-paths across groups (liaison,
    boundary, itinerant) outnumber those of the null networks, where the same events are
    attended by a random mix of actors who then tie across groups directly. This tests
    the *bridging* reading of a broker position; its degree alone does not.

    The null draws stop early, as in :func:`dependence` (``exceedances``, ``min_draws``:
    Besag & Clifford's sequential p-value, :func:`rd_methods.montecarlo.sequential_test`):
    at most ``n_null`` draws, fewer when every count is ordinary. ``workers`` draws are
    computed at once in threads, as in :func:`dependence` (the result does not depend on it).

    Returns
    -------
    DataFrame
        One row per role and ``total``: ``role, observed, null_mean, null_low, null_high``
        (2.5 % and 97.5 % percentiles), ``p_value`` (one-sided, observed larger:
        ``(1 + #{null >= observed}) / (n + 1)`` after ``n`` draws, or ``h / L`` when the
        ``h``-th null count reaching the observed one came at draw ``L``), ``p_mc_se``,
        ``min_p`` (``1 / (n_null + 1)``), ``p_draws`` (draws behind the p-value), ``n_null``
        (draws made), ``max_null``, ``exceedances``, ``null``.

    Examples
    --------
    >>> G = nx.barbell_graph(4, 1)  # two cliques joined through node 4
    >>> nx.set_node_attributes(G, {v: "x" if v < 4 else "y" for v in G}, "category")
    >>> t = brokerage_test(G, 4, null="projected", n_null=5).set_index("role")
    >>> int(t.loc["total", "observed"])
    1
    """
    if node not in G:
        raise ValueError(f"actor {node!r} is not in the network")
    A, nodes, index = _adjacency(G)
    A = sparse.csr_matrix(A)
    A.sort_indices()
    groups = pd.Series([G.nodes[v].get(attribute) for v in nodes], dtype=object)
    codes = pd.factorize(groups, use_na_sentinel=False)[0]
    v = index[node]
    observed = _roles_one(A, codes, v)
    observed = np.append(observed, observed.sum())

    def null_counts(draw) -> np.ndarray:
        counts = _roles_one(draw(), codes, v)
        return np.append(counts, counts.sum())

    nulls = _null_draws(G, null, n_null, seed=seed, n_trades=n_trades, _observed=(A, nodes, index))
    draws = ordered_map(null_counts, nulls, workers=_draw_workers(workers, len(nodes)))
    seq = sequential_test(observed, draws, n_max=n_null, exceedances=exceedances, min_draws=min_draws, tol=0)
    return pd.DataFrame(_brokerage_rows(observed, seq, 0, n_null=n_null, exceedances=exceedances, null=null))


def _brokerage_rows(observed: np.ndarray, seq, start: int, **info) -> list[dict]:
    """The rows of :func:`brokerage_test` for the five counts at ``start`` of a sequential test."""
    rows = []
    for j, role in enumerate([*BROKERAGE_ROLES, "total"], start=start):
        b = seq.draws[:, j]
        low, high = np.percentile(b, [2.5, 97.5])
        rows.append({"role": role, "observed": int(observed[j]), "null_mean": float(b.mean()),
                     "null_low": float(low), "null_high": float(high), "p_value": float(seq.p_value[j]),
                     "p_mc_se": float(seq.p_mc_se[j]), "min_p": seq.min_p, "p_draws": int(seq.used[j]),
                     "n_null": seq.n_draws, "max_null": int(info["n_null"]),
                     "exceedances": np.nan if info["exceedances"] is None else int(info["exceedances"]),
                     "null": info["null"]})
    return rows


def brokerage_tests(
    graphs: Mapping[str, nx.Graph],
    node: Hashable,
    *,
    attribute: str = "category",
    null: str = "bipartite",
    n_null: int = 100,
    seed: int = 0,
    n_trades: int | None = None,
    exceedances: int | None = EXCEEDANCES,
    min_draws: int = MIN_DRAWS,
    workers: int | None = None,
) -> pd.DataFrame:
    """:func:`brokerage_test` under several projection rules, from the same null draws.

    ``graphs`` maps a rule name to the network of the same period built with that rule
    (e.g. ``{rule: build_graph(..., projection=rule) for rule in PROJECTIONS}``). With the
    bipartite null each randomised incidence (the costly part) is projected under every
    rule, instead of being drawn again for each; drawing stops when every count of every
    rule has stopped (sequential rule of :func:`brokerage_test`). Each rule's p-values
    rest on its own counts only. Graphs with other actors, or the projected null, are
    tested one by one. Returns :func:`brokerage_test`'s rows with a ``projection`` column.

    Examples
    --------
    >>> G = nx.barbell_graph(4, 1)
    >>> nx.set_node_attributes(G, {v: "x" if v < 4 else "y" for v in G}, "category")
    >>> t = brokerage_tests({"a": G, "b": G}, 4, null="projected", n_null=5)
    >>> t["projection"].unique().tolist()
    ['a', 'b']
    """
    rules = list(graphs)
    first = graphs[rules[0]]
    shared = (null == "bipartite" and all(graphs[r].graph.get("incidence") is not None for r in rules)
              and all(list(graphs[r]) == list(first) for r in rules))
    if not shared:
        return pd.concat([brokerage_test(graphs[r], node, attribute=attribute, null=null, n_null=n_null, seed=seed,
                                         n_trades=n_trades, exceedances=exceedances, min_draws=min_draws,
                                         workers=workers)
                          .assign(projection=r) for r in rules], ignore_index=True)
    if node not in first:
        raise ValueError(f"actor {node!r} is not in the network")
    observed_adj = []
    for r in rules:
        A, nodes, index = _adjacency(graphs[r])
        A = sparse.csr_matrix(A)
        A.sort_indices()
        observed_adj.append(A)
    groups = pd.Series([first.nodes[x].get(attribute) for x in nodes], dtype=object)
    codes = pd.factorize(groups, use_na_sentinel=False)[0]
    v = index[node]

    def counts(M: sparse.csr_matrix) -> np.ndarray:
        c = _roles_one(M, codes, v)
        return np.append(c, c.sum())

    observed = np.concatenate([counts(A) for A in observed_adj])
    nulls = _bipartite_draws([graphs[r] for r in rules], n_null, seed=seed, n_trades=n_trades)
    draws = ordered_map(lambda draw: np.concatenate([counts(M) for M in draw()]), nulls,
                        workers=_draw_workers(workers, len(nodes)))
    seq = sequential_test(observed, draws, n_max=n_null, exceedances=exceedances, min_draws=min_draws, tol=0)
    info = {"n_null": n_null, "exceedances": exceedances, "null": null}
    return pd.concat([pd.DataFrame(_brokerage_rows(observed, seq, 5 * i, **info)).assign(projection=r)
                      for i, r in enumerate(rules)], ignore_index=True)


# --------------------------------------------------------------------------- projection rules


def two_mode_profile(G: nx.Graph, node: Hashable, attribute: str = "category") -> pd.DataFrame:
    """What an actor does in the actor x event network, whatever the projection rule.

    From ``G.graph["incidence"]`` (:func:`build_graph`): ``events`` attended (two-mode
    degree), ``events_as_hub`` (organiser or speaker), ``share_of_events`` (of the
    period's events), ``co_participants`` (distinct other actors met at its events),
    ``groups_met`` (distinct ``attribute`` values among them) and ``mixed_events`` (share
    of its events that gather three or more groups). One row per measure: ``measure,
    value``. These counts do not depend on how events are projected (Borgatti & Everett
    1997: keep the two-mode data when the question is about events).

    Examples
    --------
    >>> actors = pd.DataFrame({"actor_id": list("abc"), "category": ["x", "y", "z"]})
    >>> events = pd.DataFrame({"event_id": ["e1", "e2"], "held_on": pd.to_datetime(["2020-01-01"] * 2)})
    >>> part = pd.DataFrame({"event_id": ["e1", "e1", "e1", "e2"], "actor_id": list("abca"),
    ...                      "role": ["organiser", "participant", "participant", "participant"]})
    >>> two_mode_profile(build_graph(actors, part, events), "a").set_index("measure")["value"].tolist()
    [2.0, 1.0, 1.0, 2.0, 2.0, 0.5]
    """
    inc = G.graph.get("incidence")
    if inc is None:
        raise ValueError("two_mode_profile needs a graph from build_graph (its incidence)")
    node = str(node)
    own = inc.loc[inc["actor_id"] == node]
    events = set(own["event_id"])
    others = inc.loc[inc["event_id"].isin(events)]
    group = others["actor_id"].map(lambda a: G.nodes[a].get(attribute) if a in G else None)
    per_event = others.assign(group=group.astype(str)).groupby("event_id")["group"].nunique()
    met = set(others["actor_id"]) - {node}
    groups_met = {G.nodes[a].get(attribute) for a in met if a in G}
    n_events = inc["event_id"].nunique()
    rows = [
        ("events", len(events)),
        ("events_as_hub", int(own["hub"].sum()) if "hub" in own else 0),
        ("share_of_events", len(events) / n_events if n_events else np.nan),
        ("co_participants", len(met)),
        ("groups_met", len(groups_met)),
        ("mixed_events", float((per_event >= 3).mean()) if len(per_event) else np.nan),
    ]
    out = pd.DataFrame(rows, columns=["measure", "value"])
    out["value"] = out["value"].astype(float)
    return out


def projection_comparison(
    graphs: Mapping[str, nx.Graph],
    node: Hashable,
    *,
    seed: int = 0,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    k: int | None = None,
    attribute: str = "category",
) -> pd.DataFrame:
    """The actor's broker position under each projection rule, side by side.

    ``graphs`` maps a rule name (e.g. each of :data:`PROJECTIONS`) to the network built
    with it (same period). One row per rule: ``projection, n_actors, n_ties, degree,
    degree_rank, betweenness, betweenness_rank, betweenness_method, brokerage_total,
    brokerage_total_rank, liaison`` (Gould & Fernandez liaison two-paths), ``present``.
    A broker result that holds under every rule does not come from the construction.

    Examples
    --------
    >>> star, path = nx.star_graph(3), nx.path_graph(4)
    >>> projection_comparison({"a": star, "b": path}, 0)["betweenness_rank"].tolist()  # end of a path
    [1, 3]
    """
    rows = []
    for rule, G in graphs.items():
        row = {"projection": rule, "n_actors": G.number_of_nodes(),
               "n_ties": G.number_of_edges(), "present": node in G}
        if node in G:
            bet = betweenness(G, exact_max_nodes=exact_max_nodes, k=k, seed=seed)
            A, nodes, index = _adjacency(G)
            A = _without_loops(A)
            A.sort_indices()
            k_ = np.diff(A.indptr).astype(np.int64)
            # open two-paths of every actor: pairs of neighbours minus the tied ones (the
            # total of brokerage_roles, without its counts by group)
            total = dict(zip(nodes, (k_ * (k_ - 1) // 2 - np.rint(_triangles(A)).astype(np.int64)).tolist(),
                             strict=True))
            degree = dict(zip(nodes, k_.tolist(), strict=True))
            codes = pd.factorize(pd.Series([G.nodes[v].get(attribute) for v in nodes], dtype=object),
                                 use_na_sentinel=False)[0]
            row.update(
                degree=degree[node], degree_rank=_rank(degree, node),
                betweenness=bet.values[node], betweenness_rank=_rank(bet.values, node),
                betweenness_method=bet.method,
                brokerage_total=int(total[node]), brokerage_total_rank=_rank(total, node),
                liaison=int(_roles_one(A, np.asarray(codes), index[node])[3]),
            )
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- dynamics, tops


def _tie_keys(G: nx.Graph, universe: pd.Index) -> np.ndarray:
    """The ties of ``G`` as sorted unique integers ``low * N + high`` over positions in ``universe``."""
    nodes, _, u, v, _ = _edge_arrays(G)
    at = universe.get_indexer(nodes)
    a, b = at[u], at[v]
    return np.unique(np.minimum(a, b) * len(universe) + np.maximum(a, b))


def tie_dynamics(
    G_before: nx.Graph, G_after: nx.Graph, attribute: str = "category"
) -> pd.DataFrame:
    """New, lost and persisting ties between two networks, and their Jaccard overlap.

    Returns one row: ``ties_before``, ``ties_after``, ``new``, ``lost``, ``persisting``,
    ``jaccard`` (persisting / ties in either), ``new_cross_share`` (share of new ties that
    cross ``attribute`` values), ``actors_entering``, ``actors_leaving``.

    Examples
    --------
    >>> tie_dynamics(nx.Graph([(1, 2), (2, 3)]), nx.Graph([(2, 3), (3, 4)]))[["new", "lost", "jaccard"]]
       new  lost   jaccard
    0    1     1  0.333333
    """
    universe = pd.Index(list(dict.fromkeys([*G_before, *G_after])))
    before, after = _tie_keys(G_before, universe), _tie_keys(G_after, universe)
    new, lost = np.setdiff1d(after, before), np.setdiff1d(before, after)
    kept = len(after) - len(new)
    union = len(before) + len(new)
    groups = {
        **nx.get_node_attributes(G_before, attribute),
        **nx.get_node_attributes(G_after, attribute),
    }
    codes = np.asarray(pd.factorize(pd.Series([groups.get(x) for x in universe], dtype=object),
                                    use_na_sentinel=False)[0])
    crossing = codes[new // len(universe)] != codes[new % len(universe)]
    return pd.DataFrame(
        [
            {
                "ties_before": len(before),
                "ties_after": len(after),
                "new": len(new),
                "lost": len(lost),
                "persisting": kept,
                "jaccard": kept / union if union else float("nan"),
                "new_cross_share": float(np.mean(crossing)) if len(crossing) else float("nan"),
                "actors_entering": len(set(G_after) - set(G_before)),
                "actors_leaving": len(set(G_before) - set(G_after)),
            }
        ]
    )


def tie_dynamics_over_time(
    graphs: Mapping[int, nx.Graph], attribute: str = "category"
) -> pd.DataFrame:
    """:func:`tie_dynamics` between each period and the next; ``year`` is the later one."""
    years = sorted(graphs)
    frames = [
        tie_dynamics(graphs[a], graphs[b], attribute).assign(year=b, previous_year=a)
        for a, b in zip(years, years[1:], strict=False)
    ]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    return out[
        ["year", "previous_year", *[c for c in out.columns if c not in ("year", "previous_year")]]
    ]


def top_actors(
    G: nx.Graph,
    measure: str = "betweenness",
    k: int = 10,
    *,
    values: Mapping | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The ``k`` most central actors, personal actors shown by pseudonym only.

    Parameters
    ----------
    G : Graph
        A network from :func:`build_graph` (its ``display_name`` attributes are already
        pseudonymised for personal actors).
    measure : {"degree", "strength", "betweenness", "eigenvector"}
        Centrality to rank by (ignored when ``values`` is given).
    k : int
        Number of actors.
    values : mapping node -> float, optional
        Precomputed centrality (e.g. ``betweenness(G).values``).

    Returns
    -------
    DataFrame
        ``rank``, ``actor_id``, ``display_name``, ``category``, ``personal``, ``value``; ties
        broken by ``actor_id``.
    """
    if values is None:
        if measure not in _MEASURES:
            raise ValueError(f"measure must be one of {_MEASURES}, got {measure!r}")
        if measure == "degree":
            values = _degrees(G)
        elif measure == "strength":
            values = _degrees(G, "weight")
        elif measure == "betweenness":
            values = betweenness(G, seed=seed).values
        else:
            values = _eigenvector(G)
    frame = pd.DataFrame(
        {"actor_id": list(values), "value": np.fromiter(values.values(), float, len(values))}
    )
    frame["actor_id"] = frame["actor_id"].astype(str)
    frame = frame.sort_values(
        ["value", "actor_id"], ascending=[False, True], ignore_index=True
    ).head(k)
    attrs = [G.nodes[a] for a in frame["actor_id"]]
    personal = [bool(a.get("personal", False)) for a in attrs]
    names = [a.get("display_name") for a in attrs]
    if any(p and (nm is None) for p, nm in zip(personal, names, strict=True)):
        raise ValueError("a personal actor has no pseudonym: build the graph with build_graph")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.insert(
        2,
        "display_name",
        [nm if nm is not None else a for nm, a in zip(names, frame["actor_id"], strict=True)],
    )
    frame.insert(3, "category", [a.get("category") for a in attrs])
    frame.insert(4, "personal", personal)
    return frame


def best_connected(G: nx.Graph, max_nodes: int) -> nx.Graph:
    """The network of the ``max_nodes`` actors with most ties (ties broken by id) and the ties among them.

    ``G`` itself when it is no larger; otherwise a new, small graph (node attributes
    copied, ties without attributes), read from the arrays: the large network's own
    dictionaries are not built (:class:`ActorNetwork`).

    >>> sorted(best_connected(nx.star_graph(4), 2).edges())
    [(0, 1)]
    """
    if G.number_of_nodes() <= max_nodes:
        return G
    nodes, _, u, v, _ = _edge_arrays(G)
    degree = np.bincount(u, minlength=len(nodes)) + np.bincount(v, minlength=len(nodes))
    names = np.asarray([str(x) for x in nodes], dtype=object)
    keep = np.sort(np.lexsort((names, -degree))[:max_nodes])
    chosen = np.zeros(len(nodes), bool)
    chosen[keep] = True
    inside = chosen[u] & chosen[v]
    H = nx.Graph()
    H.add_nodes_from((nodes[i], G.nodes[nodes[i]]) for i in keep.tolist())
    H.add_edges_from(zip([nodes[i] for i in u[inside].tolist()], [nodes[i] for i in v[inside].tolist()], strict=True))
    return H


def layout(G: nx.Graph, *, seed: int = 0, iterations: int = 500) -> pd.DataFrame:
    """Seeded spring layout (Fruchterman–Reingold): ``actor_id``, ``x``, ``y`` in [-1, 1].

    igraph's Fruchterman–Reingold in C (``iterations`` steps; above 1,000 nodes igraph
    approximates the repulsive forces on a grid, O(n) per step), seeded through a private
    random generator and centred and rescaled to [-1, 1]. networkx's ``spring_layout`` draws
    the same model in Python: 2.7 s for 600 actors and 15 s for 2,000, against 0.4 s and
    0.25 s here. A drawing, not a result: nothing recorded depends on the positions.
    """
    if G.number_of_nodes() == 0:
        return pd.DataFrame({"actor_id": [], "x": [], "y": []})
    nodes, _, u, v, _ = _edge_arrays(G)
    g = _igraph(len(nodes), u, v)
    with _igraph_seeded(seed):
        xy = np.asarray(g.layout_fruchterman_reingold(niter=max(iterations, 1)).coords, dtype=float)
    xy = xy - xy.mean(axis=0)
    extent = np.abs(xy).max()
    xy = xy / extent if extent > 0 else xy
    out = pd.DataFrame({"actor_id": [str(a) for a in nodes], "x": xy[:, 0], "y": xy[:, 1]})
    return out.sort_values("actor_id", ignore_index=True)


# --------------------------------------------------------------------------- key results

#: French names of the projection rules (:data:`PROJECTIONS`), for pages and notes.
PROJECTION_LABELS = {
    "clique": "Clique (tous reliés)",
    "star_large": "Étoile (grands événements)",
    "exclude_large": "Grands événements ignorés",
}

#: Short French names of the projection rules, for sentences and labels (no parentheses).
PROJECTION_SHORT = {"clique": "clique", "star_large": "en étoile", "exclude_large": "sans les grands événements"}

#: French names of the null models (:data:`NULL_MODELS`), for pages and notes.
NULL_LABELS = {
    "bipartite": "mêmes événements, participations au hasard",
    "projected": "liens du réseau projeté permutés au hasard",
    "degree_matched": "acteurs de degré comparable",
}


def key_results(
    metrics: pd.DataFrame,
    *,
    profile: pd.DataFrame | None = None,
    dependence: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
    projection: str = DEFAULT_PROJECTION,
) -> pd.DataFrame:
    """The network page's key figures, one row each, from the methods' outputs.

    One definition per figure, shared by every page that shows it (the network page
    records them with :func:`rd_methods.results.record_frame`; the synthesis and the
    comparison across campaigns read them by key).

    Parameters
    ----------
    metrics : DataFrame
        :func:`metrics_over_time`; its last period gives ``network.n_actors_last``,
        ``network.density_last``, ``network.ei_index_last`` and ``network.modularity_last``.
    profile : DataFrame, optional
        :func:`broker_profile` of the evaluated structure in the last period
        (``network.broker_betweenness_rank``); None when it is absent from that network.
    dependence : DataFrame, optional
        :func:`dependence` of the network on the structure
        (``network.dependence_giant_share_drop``, with the null model's 2.5–97.5 % band as
        ``ci_low``/``ci_high`` when comparable, and ``network.dependence_comparable``).
    comparison : DataFrame, optional
        :func:`projection_comparison` (``network.broker_betweenness_rank_<rule>`` for each
        rule where the structure is present).
    projection : str
        The page's main projection rule (named in the notes).

    Returns
    -------
    DataFrame
        ``key, value, label, unit, ci_low, ci_high, note``, in the page's order.

    Examples
    --------
    >>> G = nx.star_graph(3)
    >>> nx.set_node_attributes(G, "x", "category")
    >>> m = metrics_over_time(graphs={2020: G})
    >>> kr = key_results(m, profile=broker_profile(G, 0)).set_index("key")
    >>> kr.loc["network.n_actors_last", "value"], kr.loc["network.broker_betweenness_rank", "value"]
    (4, 1)
    """
    from rd_methods.formats import format_number, p_clause

    rows: list[dict] = []

    def add(key, value, label, *, unit=None, ci=(None, None), note=None):
        rows.append({"key": key, "value": value, "label": label, "unit": unit,
                     "ci_low": ci[0], "ci_high": ci[1], "note": note})

    if metrics.empty:
        raise ValueError("metrics has no period: build the networks first")
    last = metrics.sort_values("year").iloc[-1]
    year = int(last["year"])
    if comparison is not None:
        for row in comparison.itertuples():
            if not bool(row.present):
                continue
            method = "exact" if row.betweenness_method == "exact" else "estimé"
            add(f"network.broker_betweenness_rank_{row.projection}", int(row.betweenness_rank),
                f"Rang de la structure par l'intermédiarité, règle « {PROJECTION_SHORT.get(row.projection, row.projection)} »",
                note=f"réseau de {year}, {format_number(int(row.n_actors))} acteurs ; calcul {method}")
    add("network.n_actors_last", int(last["nodes"]), f"Acteurs du réseau ({year})", unit="acteurs")
    add("network.density_last", float(last["density"]), f"Densité du réseau ({year})")
    if profile is not None:
        p = profile.set_index("measure").loc["betweenness"]
        method = "exact" if p["method"] == "exact" else "estimé"
        rule = PROJECTION_SHORT.get(projection, projection)
        add("network.broker_betweenness_rank", int(p["rank"]), "Rang de la structure par l'intermédiarité",
            note=f"sur {format_number(int(p['n_nodes']))} acteurs, règle « {rule} », calcul {method} ; "
                 "voir aussi les rangs sous chaque règle")
    if dependence is not None:
        g = dependence.set_index("measure").loc["giant_share"]
        null = str(g["null"])
        label = "Baisse de la plus grande composante sans la structure"
        if bool(g["comparable"]):
            add("network.dependence_giant_share_drop", float(g["estimate"]), label,
                ci=(float(g["baseline_low"]), float(g["baseline_high"])),
                note=f"référence : 95 % de {format_number(int(g['n_baseline']))} tirages du modèle nul "
                     f"« {NULL_LABELS.get(null, null)} », pas un intervalle de confiance ; "
                     f"{p_clause(g['p_value'])} unilatérale")
        else:
            add("network.dependence_giant_share_drop", float(g["estimate"]), label,
                note="non évaluable : aucune comparaison possible. " + str(g["note"]))
        add("network.dependence_comparable", bool(g["comparable"]),
            "Test de dépendance évaluable (une comparaison existe)",
            note=f"modèle nul « {NULL_LABELS.get(null, null)} »")
    add("network.ei_index_last", float(last["ei_index"]), f"Indice E–I par catégorie ({year})")
    add("network.modularity_last", float(last["modularity"]), f"Modularité de Louvain ({year})")
    from rd_methods.results import key_frame

    return key_frame(rows)

