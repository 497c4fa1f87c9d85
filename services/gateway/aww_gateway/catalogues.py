"""Extract each area's texts and keep its nl/fr/en catalogues in step.

    python -m aww_gateway.catalogues update   # add new texts to the .po files (empty for nl/fr)
    python -m aww_gateway.catalogues check    # list texts that lack a translation (exit 1)
    python -m aww_gateway.catalogues translate <area> <file.yaml>   # fill nl/fr from {msgid: {nl, fr}}

An area's sources: areas/<name>.py or areas/<name>/, templates/<name>/; the "platform" area also
owns the shared layout, the gateway core and the titles of the documented errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from aww_gateway.i18n import LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
CORE_FILES = ["app.py", "web.py", "api.py", "problems.py", "context.py", "auth.py"]
SHARED_TEMPLATES = ["base.html", "error.html"]


def areas() -> list[str]:
    names = {p.stem for p in (ROOT / "areas").glob("*.py") if p.stem != "__init__"}
    names |= {p.name for p in (ROOT / "areas").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    return sorted(names)


def _sources(area: str) -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = []
    module = ROOT / "areas" / f"{area}.py"
    package = ROOT / "areas" / area
    if module.exists():
        files.append(("python", module))
    if package.is_dir():
        files += [("python", p) for p in sorted(package.rglob("*.py"))]
    templates = ROOT / "templates" / area
    if templates.is_dir():
        files += [("jinja2", p) for p in sorted(templates.rglob("*.html"))]
    if area == "platform":
        files += [("python", ROOT / name) for name in CORE_FILES]
        files += [("jinja2", ROOT / "templates" / name) for name in SHARED_TEMPLATES]
    return files


def extract(area: str) -> Catalog:
    catalog = Catalog(project="aww-gateway", domain=area)
    for method, path in _sources(area):
        extractor = "jinja2.ext:babel_extract" if method == "jinja2" else "python"
        options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"} if method == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(extractor, str(path), KEYWORDS, options=options):
            catalog.add(
                message, locations=[(str(path.relative_to(ROOT)), lineno)], auto_comments=comments, context=context
            )
    if area == "platform":
        errors = yaml.safe_load((ROOT.parent.parent.parent / "contracts" / "aww_contracts" / "errors.yaml").read_text())
        for spec in errors.values():
            catalog.add(spec["title"], locations=[("errors.yaml", 0)])
    return catalog


def po_path(language: str, area: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{area}.po"


def _read(language: str, area: str) -> Catalog:
    path = po_path(language, area)
    if not path.exists():
        return Catalog(locale=language, domain=area)
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def update() -> None:
    for area in areas():
        template = extract(area)
        for language in LANGUAGES:
            catalog = _read(language, area)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            path = po_path(language, area)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, omit_header=False, sort_output=True, include_previous=False)


def apply_translations(area: str, translations_file: Path) -> int:
    """Write translations from a YAML file {msgid: {nl: ..., fr: ...}} into the area's catalogues."""
    table = yaml.safe_load(translations_file.read_text(encoding="utf-8")) or {}
    changed = 0
    for language in ("nl", "fr"):
        catalog = _read(language, area)
        for msgid, texts in table.items():
            if language in texts and msgid in catalog:
                catalog[msgid].string = texts[language]
                catalog[msgid].flags.discard("fuzzy")
                changed += 1
        with po_path(language, area).open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, include_previous=False)
    return changed


def missing() -> list[str]:
    """Texts used by the code that nl or fr lacks (English falls back to the source text)."""
    problems = []
    for area in areas():
        wanted = {message.id for message in extract(area) if message.id}
        for language in ("nl", "fr"):
            catalog = _read(language, area)
            for msgid in sorted(wanted, key=str):
                message = catalog.get(msgid)
                if message is None or not message.string or message.fuzzy:
                    problems.append(f"{language}/{area}: {msgid!r}")
    return problems


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "translate":  # python -m aww_gateway.catalogues translate <area> <file.yaml>
        update()
        apply_translations(sys.argv[2], Path(sys.argv[3]))
    gaps = missing()
    for gap in gaps:
        print(gap)
    sys.exit(1 if gaps and command == "check" else 0)
