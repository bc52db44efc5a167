"""The reference part of ``docs/importing.md``, generated from the import profiles.

``docs/importing.md`` is a hand-written guide, then the marker line ``MARKER``, then
``profiles_markdown()``: one section per profile (names, target table, options, the
column mapping, status labels and the notes at the top of its TOML file). A test
keeps the file equal to the code; after changing a profile, regenerate with

    .venv/bin/python -m shopops.ingest.profile_docs
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from shopops.ingest.profiles import PROFILE_DIR, VIRTUAL_TABLES, DEFAULT_FORMATS, FieldType, Profile, profiles

MARKER = "<!-- generated below: shopops.ingest.profile_docs -->"
DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "importing.md"

# the canonical tables a sales_lines file feeds (see ingest/sales_lines.py)
SALES_LINES_TABLES = ("orders", "order_lines", "refunds", "customers", "products")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: object) -> str:
    return f"`{_cell(text)}`"


def _value(value: object) -> str:
    """An option value as it is written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    return str(value)


def _file_notes() -> dict[str, tuple[str, list[str]]]:
    """profile id -> (file name, the comment lines at the top of its TOML file)."""
    out = {}
    for path in sorted(PROFILE_DIR.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        notes = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            notes.append(line[2:] if line.startswith("# ") else line[1:])
        out[tomllib.loads(text)["id"]] = (path.name, notes)
    return out


def _targets(profile: Profile) -> str:
    """The table, or for sales_lines the tables the file can feed (as ingest/sales_lines.py splits it)."""
    if profile.table not in VIRTUAL_TABLES:
        return _code(profile.table)
    mapped = {f.to for f in profile.fields}
    derivable = {"orders", "order_lines", "customers"}
    if "refund_amount" in mapped or profile.options.get("cancel_prefix"):
        derivable.add("refunds")
    if "title" in mapped:
        derivable.add("products")
    wanted = profile.options.get("emit", SALES_LINES_TABLES)
    emitted = [t for t in SALES_LINES_TABLES if t in derivable and t in wanted]
    return f"{_code(profile.table)} (virtual) → " + ", ".join(_code(t) for t in emitted)


def _canonical(field) -> str:
    if field.type is FieldType.PHONE:
        return "`unified_id` (salted hash), `phone_masked`"
    return _code(field.to)


def _profile_section(profile: Profile, file_name: str | None, notes: list[str]) -> list[str]:
    out = [f"### `{profile.id}` — {profile.name_zh}", "", f"*{profile.name_en}*", ""]
    out.append(f"- Target: {_targets(profile)}")
    if file_name:
        out.append(f"- File: `src/shopops/ingest/profiles/{file_name}`")
    for key, value in profile.options.items():
        out.append(f"- Option `{key} = {_value(value)}`")
    out.append("")
    kept = [f for f in profile.fields if f.type is not FieldType.IGNORE]
    ignored = [f for f in profile.fields if f.type is FieldType.IGNORE]
    out += ["| source column | canonical column | type | required | default | formats |", "|---|---|---|---|---|---|"]
    for f in kept:
        formats = "" if f.formats == DEFAULT_FORMATS.get(f.type, ()) else ", ".join(_code(x) for x in f.formats)
        type_ = f.type.value + (" (rounded half-up)" if f.round else "")
        default = "" if f.default is None else _code(f.default) if f.default else '`""` (empty string)'
        out.append(
            f"| {_cell(f.source)} | {_canonical(f)} | {type_} | {'yes' if f.required else 'no'} | {default} | {formats} |"
        )
    out.append("")
    if ignored:
        out += ["In the layout, not kept (`ignore`): " + ", ".join(_cell(f.source) for f in ignored) + ".", ""]
    if profile.status:
        out += ["| label in the export | canonical code |", "|---|---|"]
        out += [f"| {_cell(label)} | {_code(code) if code else '(empty)'} |" for label, code in profile.status.items()]
        out.append("")
    if notes:
        out += ["Notes from the profile file:", "", "```text", *notes, "```", ""]
    return out


def profiles_markdown() -> str:
    """The generated reference: an index of every profile, then one section each."""
    all_profiles = profiles()
    notes = _file_notes()
    out = [
        "## Profile reference",
        "",
        "Generated from `src/shopops/ingest/profiles/*.toml` by `shopops.ingest.profile_docs`; "
        "a test fails when this part differs from the profiles.",
        "",
        "| profile | name | target |",
        "|---|---|---|",
    ]
    for profile in all_profiles.values():
        out.append(f"| `{profile.id}` | {_cell(profile.name_zh)} | {_targets(profile)} |")
    out.append("")
    for profile in all_profiles.values():
        file_name, file_notes = notes.get(profile.id, (None, []))
        out += _profile_section(profile, file_name, file_notes)
    return "\n".join(out)


def importing_markdown(current: str) -> str:
    """``current`` (docs/importing.md) with everything after the marker regenerated."""
    head, found, _ = current.partition(MARKER)
    if not found:
        raise ValueError(f"docs/importing.md has no marker line {MARKER!r}")
    return head + MARKER + "\n\n" + profiles_markdown()


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/importing.md below the marker (``--check``: only report staleness)."""
    argv = sys.argv[1:] if argv is None else argv
    current = DOC_PATH.read_text(encoding="utf-8")
    wanted = importing_markdown(current)
    if "--check" in argv:
        stale = wanted != current
        print(f"{DOC_PATH}: {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    if wanted != current:
        DOC_PATH.write_text(wanted, encoding="utf-8")
        print(f"{DOC_PATH}: regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
