"""The ``rd-methods`` command line.

Each sub-command is a small function ``cmd_<name>(args) -> int`` that calls into the
package; user mistakes raise :class:`rd_methods.errors.RdMethodsError` and are printed as
one line plus a hint (exit code 1), never as a bare traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rd_methods import __version__
from rd_methods.errors import RdMethodsError

__all__ = ["main", "build_parser"]


# --------------------------------------------------------------------------- validate
def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a campaign against the data contract",
        description=(
            "Check a campaign folder against the data contract (docs/data-contract.md) and print "
            "every problem at once: file, row, column, value and rule. Exit 1 on errors."
        ),
    )
    p.add_argument("campaign", help="campaign id under the data folder, or path of a campaign folder")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    from rd_methods.campaign import validate

    report = validate(args.campaign, data_dir=args.data_dir)
    print(report.format())
    return 0 if report.ok else 1


# --------------------------------------------------------------------------- new
def _add_new(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "new",
        help="scaffold a new campaign folder with empty table templates (CSV files or one workbook)",
        description=(
            "Create <data-dir>/<campaign>/ with a commented campaign.yml and an empty CSV "
            "template (header only) of every table of the data contract. Refuses to touch an "
            "existing folder. Fill actors.csv (mandatory) and the tables you have, delete the "
            "others, then run `rd-methods validate <campaign>`. With --workbook, the tables are "
            "the sheets of one workbook tables.xlsx instead (French labels and help, drop-down "
            "lists on coded columns, an « À lire » sheet)."
        ),
    )
    p.add_argument("campaign", help="id of the new campaign (letters, digits, '-' and '_')")
    p.add_argument("--workbook", action="store_true",
                   help="one workbook tables.xlsx (one sheet per table) instead of one CSV per table")
    p.set_defaults(func=cmd_new)


def cmd_new(args: argparse.Namespace) -> int:
    import re

    from rd_methods import paths
    from rd_methods.schemas import TABLES, campaign_yml_template

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", args.campaign):
        raise RdMethodsError(
            f"identifiant de campagne invalide : {args.campaign!r}",
            "lettres, chiffres, '-' et '_' seulement, par exemple jura-2026",
        )
    base = Path(args.data_dir) if args.data_dir else paths.raw_dir()
    folder = base / args.campaign
    if folder.exists():
        raise RdMethodsError(f"le dossier existe déjà : {folder}", "choisir un autre identifiant, ou modifier ce dossier")
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".{args.campaign}.new-{os.getpid()}"
    tmp.mkdir()
    try:
        (tmp / "campaign.yml").write_text(campaign_yml_template(args.campaign), "utf-8")
        if args.workbook:
            from rd_methods.workbook import WORKBOOK_NAME, write_workbook

            write_workbook(tmp / WORKBOOK_NAME, campaign_id=args.campaign)
        else:
            for name, spec in TABLES.items():
                (tmp / f"{name}.csv").write_text(",".join(spec.columns) + "\n", "utf-8")
        tmp.rename(folder)
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"Campagne créée : {folder}")
    if args.workbook:
        print(f"  campaign.yml et le classeur tables.xlsx ({len(TABLES)} feuilles, une par table, et « À lire »).")
        print("  Remplir la feuille actors (obligatoire) et les feuilles disponibles ; une feuille vide")
        print("  compte comme une table absente.")
    else:
        print(f"  campaign.yml et {len(TABLES)} modèles de tables (en-tête seul, UTF-8, séparateur « , »).")
        print("  Remplir actors.csv (obligatoire) et les tables disponibles, supprimer les autres,")
    print(f"  puis : rd-methods validate {args.campaign}   (contrat : docs/data-contract.md)")
    return 0


# --------------------------------------------------------------------------- export-workbook
def _add_export_workbook(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export-workbook",
        help="write an existing campaign (CSV, xlsx or mixed) into one workbook tables.xlsx",
        description=(
            "Load and validate a campaign, then write its tables into one workbook (one sheet per "
            "table, French labels and help, drop-down lists on coded columns). Loading that "
            "workbook back gives exactly the same typed tables. Nothing is written when the "
            "campaign is invalid. To keep the campaign in the workbook, put it as tables.xlsx "
            "beside campaign.yml and remove the separate table files."
        ),
    )
    p.add_argument("campaign", help="campaign id under the data folder, or path of a campaign folder")
    p.add_argument("--out", required=True, help="workbook to write (.xlsx)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.set_defaults(func=cmd_export_workbook)


def cmd_export_workbook(args: argparse.Namespace) -> int:
    from rd_methods.workbook import export_workbook

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise RdMethodsError(f"--out doit être un fichier .xlsx : {out}", "par exemple --out tables.xlsx")
    if out.is_dir():
        raise RdMethodsError(f"--out est un dossier : {out}", f"par exemple --out {out / 'tables.xlsx'}")
    if out.exists() and not args.force:
        raise RdMethodsError(f"le fichier existe déjà : {out}", "choisir un autre nom, ou --force pour le remplacer")
    path = export_workbook(args.campaign, out, data_dir=args.data_dir, overwrite=args.force)
    print(f"Classeur écrit : {path}")
    print("  Pour tenir la campagne dans ce classeur : le nommer tables.xlsx dans le dossier de la")
    print("  campagne, à côté de campaign.yml, et retirer les fichiers de tables séparés.")
    return 0


# --------------------------------------------------------------------------- demo
def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="generate a synthetic demo campaign with known ground truth",
        description=(
            "Write a complete, synthetic campaign (every table of the contract, "
            "campaign.yml and ground_truth.json). Same seed and scale give identical files."
        ),
    )
    p.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")
    p.add_argument("--scale", type=float, default=1.0, help="size relative to the real organisation (default: 1)")
    p.add_argument("--first-year", type=int, default=2016, help="first year of the campaign (default: 2016)")
    p.add_argument("--last-year", type=int, default=2025, help="last year of the campaign (default: 2025)")
    p.add_argument("--id", dest="campaign_id", default=None, help="campaign id (default: the folder name)")
    p.add_argument(
        "--no-effect",
        action="store_true",
        help="null territorial scenario: no planted employment effect and no resilience difference",
    )
    p.add_argument("--no-resilience", action="store_true", help="the treated territory goes through the 2020 shock like the others")
    p.add_argument("--no-diversity", action="store_true", help="partner diversity has no effect on launch")
    p.add_argument(
        "--staggered",
        action="store_true",
        help="staggered adoption: the method spreads to neighbouring comparison territories starting in later "
             "years (adds first_treated_year to territory_panel; truth under 'staggered' in ground_truth.json)",
    )
    wave = p.add_mutually_exclusive_group()
    wave.add_argument("--follow-up", dest="follow_up", action="store_true", default=None, help="add survey wave 2 (default: when --last-year >= 2025)")
    wave.add_argument("--no-follow-up", dest="follow_up", action="store_false", help="survey wave 1 only")
    p.add_argument("--out", required=True, help="folder to write (must not exist, or be empty)")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from rd_methods.demo import DemoOptions, write_campaign

    out = Path(args.out)
    options = DemoOptions(
        seed=args.seed,
        scale=args.scale,
        first_year=args.first_year,
        last_year=args.last_year,
        campaign_id=args.campaign_id or out.name,
        territorial_effect=not args.no_effect,
        resilience_effect=not (args.no_effect or args.no_resilience),
        diversity_effect=not args.no_diversity,
        follow_up_wave=args.follow_up,
        staggered=args.staggered,
    )
    write_campaign(out, options)
    print(f"Campagne de démonstration écrite dans {out}")
    return 0


# --------------------------------------------------------------------------- import-survey
def _add_import_survey(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import-survey",
        help="import a LimeSurvey / KoboToolbox / xlsx / SPSS export as the campaign's survey tables",
        description=(
            "Map a survey-tool export (LimeSurvey or KoboToolbox CSV, .xlsx, SPSS .sav) to "
            "survey_items.csv and survey_responses.csv in a campaign folder, with a YAML mapping "
            "(format: rd_methods.survey_import; example: tests/fixtures/survey_exports/mapping.yml). "
            "Every unmapped column or answer is reported at once and nothing is written until the "
            "mapping is complete. Respondent ids are replaced by salted-hash pseudonyms (salt: "
            "--salt, env RD_METHODS_SURVEY_SALT, else a .survey_salt file kept in the campaign "
            "folder); free-text answers are dropped."
        ),
    )
    p.add_argument("export", help="export file (.csv, .xlsx or .sav)")
    p.add_argument("--mapping", required=True, help="YAML mapping file")
    p.add_argument("--campaign", required=True, help="campaign id under the data folder, or path of a campaign folder")
    p.add_argument("--wave", type=int, default=None, help="wave of these responses (overrides the mapping)")
    p.add_argument("--sheet", default=None, help="sheet of an .xlsx export (default: the first)")
    p.add_argument("--salt", default=None, help="secret salt of the pseudonyms (keep it the same for every wave)")
    p.add_argument("--sequential", action="store_true", help="pseudonyms R0001… in file order (waves cannot be linked)")
    p.add_argument("--include-incomplete", action="store_true",
                   help="keep LimeSurvey's incomplete responses (no submission date), flagged by an empty "
                        "submitted_on; default: left out, and the import says how many")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true", help="replace existing survey tables")
    mode.add_argument("--append", action="store_true", help="add these responses (a new wave) to the existing tables")
    p.add_argument("--dry-run", action="store_true", help="check the mapping and report, write nothing")
    p.set_defaults(func=cmd_import_survey)


def _survey_salt(folder: Path, given: str | None) -> str:
    """Salt from --salt, RD_METHODS_SURVEY_SALT, or the campaign's .survey_salt (created once)."""
    import secrets

    if given:
        return given
    if os.environ.get("RD_METHODS_SURVEY_SALT"):
        return os.environ["RD_METHODS_SURVEY_SALT"]
    path = folder / ".survey_salt"
    if path.exists():
        return path.read_text("utf-8").strip()
    salt = secrets.token_hex(16)
    path.write_text(salt + "\n", encoding="utf-8")
    return salt


def cmd_import_survey(args: argparse.Namespace) -> int:
    from rd_methods.errors import CampaignNotFound
    from rd_methods.paths import campaign_dir
    from rd_methods.survey_import import import_export, read_export, write_survey_tables

    folder = campaign_dir(args.campaign, args.data_dir)
    if not (folder / "campaign.yml").is_file():
        raise CampaignNotFound(f"pas de campagne (campaign.yml) dans {folder}",
                               "créer la campagne d'abord, ou donner le chemin de son dossier")
    export = read_export(args.export, sheet=args.sheet)
    method = "sequential" if args.sequential else None
    salt = None if args.sequential else (args.salt or os.environ.get("RD_METHODS_SURVEY_SALT") or "")
    if not args.sequential and not salt and not args.dry_run:
        salt = _survey_salt(folder, None)
    result = import_export(export, args.mapping, wave=args.wave, salt=salt or "dry-run", pseudonymise=method,
                           include_incomplete=args.include_incomplete)
    print(f"{Path(args.export).name} : {result.describe()}")
    if args.dry_run:
        print("Correspondance complète ; rien n'a été écrit (--dry-run).")
        return 0
    written = write_survey_tables(folder, result, force=args.force, append=args.append)
    for path in written:
        print(f"écrit : {path}")
    return 0


# --------------------------------------------------------------------------- run
def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run the notebooks of campaigns and publish the site in reports/",
        description=(
            "Validate each campaign, execute every applicable notebook with papermill (in "
            "parallel, 90_synthesis last), render the public and research HTML editions, "
            "refuse to publish a page that shows a personal name, and swap the campaign's "
            "report in atomically. Exit 1 if a notebook failed or a publication was refused."
        ),
    )
    p.add_argument("campaigns", nargs="*", metavar="CAMPAIGN", help="campaign id(s) under the data folder, or path(s)")
    p.add_argument("--all", action="store_true", help="run every campaign of the data folder (rd-methods list shows them)")
    p.add_argument(
        "--only", action="append", default=None, metavar="NOTEBOOK",
        help="run only these notebooks (20, 20_actor_network or actor_network; repeat or separate with commas)",
    )
    p.add_argument("--jobs", "-j", type=int, default=None, help="notebooks run at once (default: number of cores)")
    p.add_argument("--edition", choices=("public", "research", "both"), default="both",
                   help="HTML editions to publish (default: both)")
    p.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook cell (default: 600)")
    p.add_argument("--kernel", default=None, help="Jupyter kernel (default: rd-methods, else python3)")
    p.add_argument(
        "--executor", choices=("local", "dask"), default=None,
        help="where notebooks run: local process pool (default) or a Dask cluster (dask when a scheduler address is given)",
    )
    p.add_argument(
        "--scheduler", default=None, metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (env RD_METHODS_SCHEDULER); "
             "without it, --executor dask starts a LocalCluster of --jobs workers",
    )
    p.add_argument(
        "--force", action="store_true",
        help="execute every selected notebook, even those whose inputs did not change since the last run",
    )
    p.add_argument(
        "--param", "-p", action="append", default=None, metavar="NAME=VALUE",
        help="set a notebook parameter (repeatable; typed from the notebook's parameters cell; "
             "rd-methods inspect NOTEBOOK lists them); recorded in provenance and on the pages",
    )
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from rd_methods import paths

    only = [t.strip() for item in (args.only or []) for t in item.split(",") if t.strip()] or None
    if args.jobs is not None and args.jobs < 1:
        raise RdMethodsError("--jobs doit être au moins 1", hint="par exemple --jobs 2")
    if args.timeout < 1:
        raise RdMethodsError("--timeout doit être un nombre de secondes positif", hint="par exemple --timeout 600")
    campaigns = _run_campaigns(args)
    executor, scheduler = _run_executor(args)
    if executor == "local":
        # the local pool's forkserver imports what kernels import (about 3 s of one core): started
        # first thing, it does so while this process imports the runner and validates the campaigns
        from rd_methods.publish.prefork import KernelPool
        from rd_methods.publish.tasks import RunOptions

        KernelPool.warm(RunOptions(jobs=args.jobs).thread_caps)
    from rd_methods.publish import runner
    from rd_methods.publish.parameters import parse_assignments

    runs = runner.run(
        campaigns, data_dir=args.data_dir, only=only, jobs=args.jobs,
        edition=args.edition, timeout=args.timeout, kernel=args.kernel,
        executor=executor, scheduler=scheduler, params=parse_assignments(args.param), force=args.force,
    )
    print(f"Site : {paths.reports_dir() / 'index.html'}")
    bad = [r for r in runs if not r.ok]
    for r in bad:
        why = "publication refusée (nom de personne)" if r.status == "refused" else "au moins un notebook en échec"
        print(f"rd-methods: {r.campaign} : {why}", file=sys.stderr)
    return 1 if bad else 0


def _run_campaigns(args: argparse.Namespace) -> list[str]:
    """The campaigns named, or with --all every campaign folder of the data folder."""
    if args.all and args.campaigns:
        raise RdMethodsError("--all ou des campagnes nommées, pas les deux",
                             hint="rd-methods run --all, ou rd-methods run demo-2024 demo-2025")
    if not args.all:
        if not args.campaigns:
            raise RdMethodsError("aucune campagne à exécuter",
                                 hint="rd-methods run <campagne>…, ou --all ; rd-methods list montre les campagnes")
        return list(args.campaigns)
    from rd_methods import paths
    from rd_methods.publish.catalog import list_campaigns

    found = [row["id"] for row in list_campaigns(args.data_dir)]
    if not found:
        raise RdMethodsError(f"aucune campagne dans {args.data_dir or paths.raw_dir()}",
                             hint="rd-methods new <id> en crée une, rd-methods demo --out <dossier> en génère une")
    return found


def _run_executor(args: argparse.Namespace) -> tuple[str, str | None]:
    """--executor / --scheduler (env RD_METHODS_SCHEDULER) → (executor, scheduler address)."""
    from rd_methods.publish.executors import SCHEDULER_ENV

    if args.executor == "local":
        if args.scheduler:
            raise RdMethodsError("--scheduler ne sert qu'avec l'exécuteur dask",
                                 hint=f"--executor dask --scheduler {args.scheduler}")
        return "local", None
    scheduler = args.scheduler or os.environ.get(SCHEDULER_ENV) or None
    if args.executor == "dask" or scheduler:
        return "dask", scheduler
    return "local", None


# --------------------------------------------------------------------------- list
def _add_list(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "list",
        help="list the campaigns found, their tables and their last published run",
        description="List the campaign folders under the data folder (or --data-dir), the tables each holds, and the last published run.",
    )
    p.set_defaults(func=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    from rd_methods.publish.catalog import list_campaigns

    rows = list_campaigns(args.data_dir)
    if not rows:
        from rd_methods import paths

        print(f"Aucune campagne dans {args.data_dir or paths.raw_dir()} (rd-methods new <id> en crée une).")
        return 0
    for row in rows:
        print(f"{row['id']}  {row['title']}  ({row['period']})")
        print(f"    tables : {', '.join(row['tables']) or '—'}")
        print(f"    dernière publication : {row['published']}")
    return 0


# --------------------------------------------------------------------------- inspect
def _add_inspect(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inspect",
        help="show a notebook's parameters (name, type, default, help)",
        description="Show the parameters a notebook declares in its cell tagged 'parameters', and the tables it requires.",
    )
    p.add_argument("notebook", help="notebook path, file name, stem (20_actor_network) or number (20)")
    p.set_defaults(func=cmd_inspect)


def cmd_inspect(args: argparse.Namespace) -> int:
    from rd_methods.publish.catalog import describe_notebook

    print(describe_notebook(args.notebook))
    return 0


# --------------------------------------------------------------------------- open
def _add_open(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "open",
        help="print the path of the published site (and open it where a browser exists)",
        description="Print the path of reports/index.html (or of a campaign's index) and open it in a browser when a display is available.",
    )
    p.add_argument("campaign", nargs="?", help="open this campaign's index instead of the site index")
    p.add_argument("--no-browser", action="store_true", help="only print the path")
    p.set_defaults(func=cmd_open)


def cmd_open(args: argparse.Namespace) -> int:
    from rd_methods.publish.catalog import open_site

    path = open_site(args.campaign, browser=not args.no_browser)
    print(path)
    return 0


# --------------------------------------------------------------------------- reproduce
def _add_reproduce(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reproduce",
        help="rerun a campaign in a temporary folder and compare every result with the published ones",
        description=(
            "Rerun every notebook of a campaign into a temporary folder (the published site and the "
            "processed cache are untouched), then compare each recorded result with the published "
            "results.json: identifiers, counts, texts and booleans exactly, decimal numbers within a "
            "relative tolerance; a result missing on either side is a difference. Prints a table and "
            "exits 0 only when everything matches."
        ),
    )
    p.add_argument("campaign", help="campaign id under the data folder, or path of a campaign folder")
    p.add_argument("--against", default=None, metavar="RESULTS_JSON",
                   help="published results to compare with (default: <reports>/<campaign>/results.json)")
    p.add_argument("--rtol", type=float, default=None, help="relative tolerance for decimal numbers (default: 1e-9)")
    p.add_argument("--atol", type=float, default=0.0, help="absolute tolerance for decimal numbers (default: 0)")
    p.add_argument("--jobs", "-j", type=int, default=None, help="notebooks run at once (default: number of cores)")
    p.add_argument("--only", action="append", default=None, metavar="NOTEBOOK",
                   help="rerun only these notebooks; results of the others are not compared")
    p.add_argument("--timeout", type=int, default=None, help="seconds allowed per notebook cell (default: 600)")
    p.add_argument("--kernel", default=None, help="Jupyter kernel (default: rd-methods, else python3)")
    p.add_argument("--keep", default=None, metavar="DIR", help="keep the rerun's reports in DIR")
    p.add_argument("--differences-only", action="store_true", help="print only the results that differ")
    p.add_argument(
        "--param", "-p", action="append", default=None, metavar="NAME=VALUE",
        help="set a notebook parameter (repeatable; typed from the notebook's parameters cell; "
             "rd-methods inspect NOTEBOOK lists them); recorded in provenance and on the pages",
    )
    p.set_defaults(func=cmd_reproduce)


def cmd_reproduce(args: argparse.Namespace) -> int:
    from rd_methods.reproduce import DEFAULT_RTOL, format_table, reproduce

    rtol = DEFAULT_RTOL if args.rtol is None else args.rtol
    if rtol < 0 or args.atol < 0:
        raise RdMethodsError("les tolérances doivent être positives ou nulles", hint="par exemple --rtol 1e-9")
    if args.jobs is not None and args.jobs < 1:
        raise RdMethodsError("--jobs doit être au moins 1", hint="par exemple --jobs 2")
    only = [t.strip() for item in (args.only or []) for t in item.split(",") if t.strip()] or None
    from rd_methods.publish.parameters import parse_assignments

    report = reproduce(args.campaign, against=args.against, rtol=rtol, atol=args.atol, data_dir=args.data_dir,
                       jobs=args.jobs, only=only, timeout=args.timeout, kernel=args.kernel, keep=args.keep,
                       echo=lambda line: print(line, file=sys.stderr, flush=True),
                       params=parse_assignments(args.param))
    print(f"Reproduction de {report.campaign} contre {report.against}")
    if report.fingerprint_published and report.fingerprint_published != report.fingerprint_now:
        print("  attention : les données brutes ont changé depuis la publication (empreinte "
              f"{report.fingerprint_published[:12]} publiée, {str(report.fingerprint_now)[:12]} maintenant)")
    print(format_table(report, all_rows=not args.differences_only))
    if report.failed_notebooks:
        print(f"notebooks en échec pendant le recalcul : {', '.join(report.failed_notebooks)}")
    if report.ok:
        print(f"Reproduit : tous les résultats sont identiques ({report.duration:.0f} s).")
        return 0
    moved = report.differences["key"].tolist()
    if moved:
        print(f"Non reproduit : {len(moved)} résultat(s) diffèrent : {', '.join(moved[:20])}"
              + (" …" if len(moved) > 20 else ""), file=sys.stderr)
    else:
        print(f"Non reproduit : notebook(s) en échec : {', '.join(report.failed_notebooks)}", file=sys.stderr)
    return 1


# --------------------------------------------------------------------------- report
def _add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write the impact report of a published campaign (rapport.html and rapport.pdf, A4)",
        description=(
            "Write <reports>/<campaign>/rapport.html and rapport.pdf: a short French impact report "
            "(at most 8 A4 pages) built from the published run (results.json, provenance.json), "
            "without running the notebooks again. The PDF is printed by Chromium through Playwright; "
            "without them, the HTML is still written and the message says how to get the PDF (exit 0)."
        ),
    )
    p.add_argument("campaign", help="id of a campaign published under the reports folder (rd-methods run first)")
    p.add_argument("--html-only", action="store_true", help="write rapport.html only")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from rd_methods.publish.report import make_report

    outcome = make_report(args.campaign, pdf=not args.html_only)
    print(f"Rapport HTML : {outcome.html}")
    if outcome.pdf is not None:
        pages = f" ({outcome.pages} pages A4)" if outcome.pages else ""
        print(f"Rapport PDF : {outcome.pdf}{pages}")
    elif outcome.message:
        print(f"rd-methods: {outcome.message}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rd-methods",
        description="Evaluate the social impact of a territorial R&D cooperative: validate campaigns, run and publish the notebooks.",
    )
    parser.add_argument("--version", action="version", version=f"rd_methods {__version__}")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("RD_METHODS_DATA_DIR"),
        help="folder holding one sub-folder per campaign (env RD_METHODS_DATA_DIR; default data/raw)",
    )
    parser.add_argument(
        "--reports-dir",
        default=os.environ.get("RD_METHODS_REPORTS_DIR"),
        help="folder of the published site (env RD_METHODS_REPORTS_DIR; default reports)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_validate, _add_new, _add_export_workbook, _add_demo, _add_import_survey, _add_run, _add_list, _add_inspect, _add_open,
                _add_reproduce, _add_report):
        add(sub)
    # the folder options are accepted after the sub-command too (rd-methods run demo-2025 --reports-dir X)
    for p in sub.choices.values():
        for flag, what in (("--data-dir", "folder holding one sub-folder per campaign"),
                           ("--reports-dir", "folder of the published site")):
            if flag not in p._option_string_actions:
                p.add_argument(flag, default=argparse.SUPPRESS, help=f"{what} (as before the sub-command)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from rd_methods.paths import overridden

    locations = overridden(
        RD_METHODS_DATA_DIR=Path(args.data_dir).resolve() if args.data_dir else None,
        RD_METHODS_REPORTS_DIR=Path(args.reports_dir).resolve() if args.reports_dir else None,
    )
    try:
        with locations:
            return int(args.func(args) or 0)
    except RdMethodsError as exc:
        print(f"rd-methods: erreur : {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  piste : {exc.hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rd-methods: interrompu", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
