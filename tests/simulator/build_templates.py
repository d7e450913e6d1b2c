"""Build ``dolisync/simulator/data/templates.json`` from the real captures (run once by hand).

The simulator renders every object from a template: the key order and the constant values of
one real answer, per Dolibarr version. Re-run after adding captures:
``.venv/bin/python -m tests.simulator.build_templates``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import CAPTURES

OUTPUT = Path(__file__).resolve().parents[2] / "dolisync" / "simulator" / "data" / "templates.json"
VERSIONS = ("22.0.4", "20.0.2")

# template name -> (capture name, path inside the response body)
SOURCES: dict[str, tuple[str, tuple[str | int, ...]]] = {
    "status": ("status", ("success",)),
    "login": ("login_get_token", ("success",)),
    "company": ("setup_company", ()),
    "dict_ticket_types": ("dict_ticket_types", (0,)),
    "dict_ticket_categories": ("dict_ticket_categories", (0,)),
    "dict_ticket_severities": ("dict_ticket_severities", (0,)),
    "user": ("users_get", ()),
    "thirdparty": ("thirdparty_get", ()),
    "ticket": ("ticket_get_with_messages", ()),
    "ticket_put": ("ticket_put_unknown_field", ()),
    "ticket_message": ("ticket_get_with_messages", ("messages", 0)),
    "ticket_specimen": ("ticket_get_by_ref", ()),
    "intervention": ("intervention_get_after_lines_fieldnames", ()),
    "intervention_line": ("intervention_get_after_lines_fieldnames", ("lines", 0)),
    "intervention_validate": ("intervention_validate", ()),
    "intervention_close": ("intervention_close", ()),
    "intervention_put": ("intervention_put", ()),
    "agendaevent": ("agendaevent_get_message", ()),
    "objectlink": ("objectlinks_get_by_id", ()),
    "webhook_target": ("webhook_targets_list", (0,)),
    "webhook_triggers": ("webhook_triggers_list", ()),
}

# Error answers whose debug block is worth copying: symbolic name -> capture name.
ERRORS: dict[str, str] = {
    "no_key": "status_no_key",
    "bad_key": "status_wrong_key",
    "bad_json": "ticket_create_invalid_json",
    "bad_id": "ticket_get_non_numeric_id",
    "no_route": "method_not_allowed",
    "login_denied": "login_wrong_password",
    "user_not_found": "users_get_404",
    "thirdparty_not_found": "thirdparty_get_404",
    "thirdparty_field_missing": "thirdparty_create_missing_name",
    "ticket_field_missing": "ticket_create_missing_message",
    "ticket_not_found": "ticket_get_404",
    "ticket_put_not_found": "ticket_put_404",
    "ticket_delete_not_found": "ticket_delete_404",
    "newmessage_not_found": "ticket_newmessage_bad_track",
    "newmessage_field_missing": "ticket_newmessage_missing_track",
    "ticket_list_failed": "tickets_list_bad_sortfield",
    "ticket_sqlfilters": "tickets_filter_unbalanced",
    "intervention_field_missing": "intervention_create_missing_project",
    "intervention_not_found": "intervention_get_404",
    "intervention_line_field_missing": "intervention_line_missing_duration",
    "intervention_line_sql": "intervention_line_on_unknown_intervention",
    "intervention_validate_not_found": "intervention_validate_404",
    "intervention_sqlfilters": "interventions_filter_bad",
    "objectlink_create_failed": "objectlinks_create",
    "objectlink_not_found": "objectlinks_get_by_values_404",
    "intervention_close_failed": "probe_intervention_close_failing_hook",
}


def _captures(version: str) -> dict[str, dict[str, Any]]:
    folder = CAPTURES / f"v{version}"
    index = json.loads((folder / "index.json").read_text())
    return {entry["name"]: json.loads((folder / entry["file"]).read_text()) for entry in index}


def _dig(body: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        body = body[step]
    return body


def build() -> dict[str, Any]:
    result: dict[str, Any] = {}
    for version in VERSIONS:
        captures = _captures(version)
        templates: dict[str, Any] = {}
        for name, (capture, path) in SOURCES.items():
            if capture in captures and captures[capture]["response"]["status"] == 200:
                templates[name] = _dig(captures[capture]["response"]["body"], path)
        put = templates["ticket_put"]
        put.pop("foo_unknown", None)
        errors = {
            name: captures[capture]["response"]["body"]["debug"]
            for name, capture in ERRORS.items()
            if capture in captures and "debug" in (captures[capture]["response"]["body"] or {})
        }
        result[version] = {"templates": templates, "errors": errors}
    return result


def main() -> None:
    OUTPUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
