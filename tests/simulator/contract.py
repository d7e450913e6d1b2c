"""Replay the real captures against a fresh simulator and compare the answers' shapes.

For each exchange: same status, same JSON key order and value types (recursively; ids and
dates may differ), same error messages, same non-JSON text. Captured gaps (objects created
between captures, rows edited in the database) are filled through the simulator's Python API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from dolisync.clock import FrozenClock
from dolisync.simulator import Simulator, SimulatorOptions, fichinter
from tests.conftest import CAPTURES

API_KEY = "<api key>"  # the captures' placeholder doubles as the simulator's key
ADMIN_PASSWORD = "<admin password>"
SENT_HEADERS = ("DOLAPIKEY", "Authorization", "Content-Type", "Accept")
_DB_EDIT = re.compile(r"set directly in the DB to (\{[^}]*\})")
_DB_ROW = re.compile(r"DB row of ticket (\d+): tms=(\S+ \S+)")
# Writes a failing blocking webhook target rolled back on the real server: the simulator never
# calls webhook targets, so sending them would create or change what the real server did not.
ROLLED_BACK = frozenset(
    {
        ("22.0.4", "ticket_create_with_blocking_failing_webhook"),
        ("20.0.2", "ticket_create_with_blocking_failing_webhook"),
        ("20.0.2", "probe_intervention_close_failing_hook"),
    }
)


@dataclass
class Outcome:
    name: str
    problems: list[str] = field(default_factory=list)


def captures(version: str) -> list[dict[str, Any]]:
    folder = CAPTURES / f"v{version}"
    index = json.loads((folder / "index.json").read_text())
    return [json.loads((folder / entry["file"]).read_text()) for entry in index]


def start(version: str, first: dict[str, Any]) -> tuple[Simulator, FrozenClock]:
    """A fresh simulator of ``version`` whose clock reads the captures' own times."""
    options = SimulatorOptions(
        port=0,
        version=version,
        tickets=0,
        auth_delay=0.0,
        api_key=API_KEY,
        admin_password=ADMIN_PASSWORD,
    )
    clock = FrozenClock(_captured_at(first))
    return Simulator(options, clock=clock).start(), clock


def _captured_at(capture: dict[str, Any]) -> float:
    return datetime.fromisoformat(capture["captured_at"]).timestamp()


KINDS = ("ticket", "intervention", "event")


class Gaps:
    """What the captures show of objects created between them, to recreate those objects.

    Before each exchange the simulator gets every object (ticket, intervention, agenda event)
    whose id the captures have shown so far, plus those the exchange itself reads; objects
    created by API calls of the captures get the captured random values (ref, track_id).
    """

    def __init__(self, all_captures: list[dict[str, Any]]) -> None:
        self.seen: dict[str, dict[int, dict[str, Any]]] = {kind: {} for kind in KINDS}
        self.high_water: list[dict[str, int]] = []
        running = dict.fromkeys(KINDS, 0)
        for capture in all_captures:
            found = objects_in(capture)
            for kind, objects in found.items():
                for object_id, value in objects.items():
                    merged = self.seen[kind].setdefault(object_id, {})
                    for key, field_value in value.items():  # first view of each field wins
                        merged.setdefault(key, field_value)
            reads = capture["request"]["method"] == "GET"
            self.high_water.append(
                {k: max([running[k], *found[k]]) if reads else running[k] for k in KINDS}
            )
            for kind in KINDS:
                running[kind] = max([running[kind], *found[kind]])

    def fill(self, sim: Simulator, position: int, capture: dict[str, Any]) -> None:
        targets = dict(self.high_water[position])
        request, response = capture["request"], capture["response"]
        path = request["path"].removeprefix("/api/index.php")
        if request["method"] == "POST" and response["status"] == 200:
            if path == "/tickets" and isinstance(response["body"], int):
                targets["ticket"] = response["body"] - 1
            elif path == "/interventions" and isinstance(response["body"], int):
                targets["intervention"] = response["body"] - 1
            elif path == "/webhook" and isinstance(response["body"], int):
                # a target was made off the record between captures (README: "Later probes")
                _skip_webhook_ids(sim, response["body"] - 1)
        for kind, target in targets.items():
            _pad(sim, kind, target, self.seen[kind])

    def adopt(self, sim: Simulator, capture: dict[str, Any]) -> None:
        """Give a ticket created by this exchange the ref and track_id the real server drew."""
        request, response = capture["request"], capture["response"]
        if request["method"] != "POST" or request["path"] != "/api/index.php/tickets":
            return
        if response["status"] != 200 or not isinstance(response["body"], int):
            return
        captured = self.seen["ticket"].get(response["body"], {})
        if "ref" in captured and "track_id" in captured:
            with sim.backend.db.write() as conn:
                conn.execute(
                    "UPDATE llx_ticket SET ref = ?, track_id = ? WHERE rowid = ?",
                    (captured["ref"], captured["track_id"], response["body"]),
                )


def _skip_webhook_ids(sim: Simulator, last_used: int) -> None:
    """Make the next webhook target id ``last_used + 1``, as it was on the real server."""
    with sim.backend.db.write() as conn:
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'llx_webhook_target'")
        conn.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('llx_webhook_target', ?)",
            (max(last_used, _max_webhook_id(conn)),),
        )


def _max_webhook_id(conn: Any) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM llx_webhook_target").fetchone()[0])


def objects_in(capture: dict[str, Any]) -> dict[str, dict[int, dict[str, Any]]]:
    """Tickets, interventions and agenda events (by id) in an exchange's answer."""
    found: dict[str, dict[int, dict[str, Any]]] = {kind: {} for kind in KINDS}
    path = capture["request"]["path"].removeprefix("/api/index.php")
    kind = {"tickets": "ticket", "interventions": "intervention", "agendaevents": "event"}.get(
        path.split("/")[1]
    )
    body = capture["response"]["body"]
    # events listed with a filter on their ticket but without elementid in `properties`
    element = re.search(
        r"t\.fk_element:=:(\d+)", (capture["request"].get("query") or {}).get("sqlfilters", "")
    )
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body = body["data"]
    items = body if isinstance(body, list) else [body]
    for item in items:
        if not isinstance(item, dict) or not str(item.get("id", "")).isdigit():
            continue
        if kind is not None and int(item["id"]) > 0:
            found[kind][int(item["id"])] = item
            if kind == "event" and element and "elementid" not in item:
                found[kind][int(item["id"])] = {**item, "elementid": element.group(1)}
        for message in item.get("messages") or []:
            found["event"][int(message["id"])] = {}
    return found


def _pad(sim: Simulator, kind: str, target: int, seen: dict[int, dict[str, Any]]) -> None:
    backend = sim.backend
    table = {"ticket": "llx_ticket", "intervention": "llx_fichinter", "event": "llx_actioncomm"}
    key = "id" if kind == "event" else "rowid"
    current = int(backend.db.scalar(f"SELECT COALESCE(MAX({key}), 0) FROM {table[kind]}"))
    for object_id in range(current + 1, target + 1):
        captured = seen.get(object_id)
        if kind == "event":
            _event_like(sim)
        elif captured is None:  # never shown: rolled back or deleted on the real server
            _burn_id(sim, table[kind], object_id)
        elif kind == "ticket":
            _ticket_like(sim, captured)
        elif kind == "intervention":
            fields = {"socid": 1, "fk_project": 0, "description": captured.get("description")}
            fichinter.create(backend, fields)


def _burn_id(sim: Simulator, table: str, object_id: int) -> None:
    """Use up an id the real server consumed without keeping a row (rolled back or deleted)."""
    with sim.backend.db.write() as conn:
        if table == "llx_ticket":
            conn.execute(
                "INSERT INTO llx_ticket (rowid, ref, track_id) VALUES (?, '-', ?)",
                (object_id, f"burnt{object_id}"),
            )
        else:
            conn.execute(
                "INSERT INTO llx_fichinter (rowid, ref, fk_soc) VALUES (?, '-', 0)", (object_id,)
            )
        conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (object_id,))


def _ticket_like(sim: Simulator, captured: dict[str, Any]) -> None:
    """A ticket row like the captured one, without agenda event (event ids are padded apart)."""
    fields = {
        key: captured[key]
        for key in ("ref", "track_id", "subject", "message", "fk_soc", "type_code",
                    "category_code", "severity_code", "fk_statut", "progress", "fk_user_assign")
        if captured.get(key) is not None
    }  # fmt: skip
    backend = sim.backend
    now = backend.now_db()
    fields.setdefault("ref", backend.new_ticket_ref())
    fields.setdefault("track_id", backend.new_track_id())
    fields.update(fk_user_create=1, datec=now, tms=now)
    with backend.db.write() as conn:
        columns = ", ".join(fields)
        marks = ", ".join("?" * len(fields))
        conn.execute(f"INSERT INTO llx_ticket ({columns}) VALUES ({marks})", list(fields.values()))


def _event_like(sim: Simulator) -> None:
    """An agenda event on no ticket: events the real server logged for other objects."""
    backend = sim.backend
    with backend.db.write() as conn:
        backend.insert_event(
            conn, "AC_OTH_AUTO", ("societe", 0), label="gap", note="gap", socid=None, user_id=1
        )


def prepare(sim: Simulator, clock: FrozenClock, capture: dict[str, Any]) -> None:
    """Redo what happened between captures (outside the API) before replaying this one."""
    clock.advance(max(_captured_at(capture) - clock.now(), 0))
    edit = _DB_EDIT.search(capture["description"])
    if edit:
        for ticket_id, tms in json.loads(edit.group(1)).items():
            sim.control.set_tms(int(ticket_id), tms)
    for ticket_id, tms in _DB_ROW.findall(capture["description"]):
        sim.control.set_tms(int(ticket_id), tms)
    sim.control.set_php_timezone("Europe/Paris" if "tz_paris" in capture["name"] else "UTC")


class EventIds:
    """Agenda event ids drift from the real server's (it logs events for objects the captures
    do not show); learn captured id -> simulator id from lists both answered, and rewrite later
    requests that name an event id (``/agendaevents/{id}``, ``t.id`` cursors) accordingly."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def learn(self, capture: dict[str, Any], answer: requests.Response) -> None:
        theirs = capture["response"]["body"]
        if not capture["request"]["path"].endswith("/agendaevents") or not isinstance(theirs, list):
            return
        ours = answer.json()
        if isinstance(ours, list) and len(ours) == len(theirs):
            self.ids.update((str(t["id"]), str(o["id"])) for t, o in zip(theirs, ours, strict=True))

    def rewrite(self, capture: dict[str, Any]) -> dict[str, Any]:
        request = dict(capture["request"])
        if "/agendaevents" not in request["path"]:
            return capture
        request["path"] = re.sub(
            r"/agendaevents/(\d+)$",
            lambda m: "/agendaevents/" + self.ids.get(m[1], m[1]),
            request["path"],
        )
        query = dict(request.get("query") or {})
        if "sqlfilters" in query:
            query["sqlfilters"] = re.sub(
                r"(t\.id:[<>=]+:)(\d+)",
                lambda m: m[1] + self.ids.get(m[2], m[2]),
                query["sqlfilters"],
            )
        request["query"] = query
        return {**capture, "request": request}


def send(session: requests.Session, sim: Simulator, capture: dict[str, Any]) -> requests.Response:
    request = capture["request"]
    headers = {k: v for k, v in request["headers"].items() if k in SENT_HEADERS}
    body = request["body"]
    data = body if isinstance(body, str) or body is None else json.dumps(body)
    url = sim.root_url + request["path"]
    return session.request(
        request["method"], url, params=request["query"], headers=headers, data=data
    )


def compare(capture: dict[str, Any], answer: requests.Response) -> list[str]:
    expected = capture["response"]
    problems: list[str] = []
    if answer.status_code != expected["status"]:
        problems.append(f"status {answer.status_code}, expected {expected['status']}")
    if expected["body_kind"] == "text":
        if answer.text != expected["body"]:
            problems.append(f"text body {answer.text[:80]!r}, expected {expected['body'][:80]!r}")
        return problems
    try:
        actual = answer.json()
    except ValueError:
        return [*problems, f"not JSON: {answer.text[:80]!r}"]
    problems += shape_problems(expected["body"], actual, "$")
    if isinstance(expected["body"], dict) and "error" in expected["body"]:
        wanted = expected["body"]["error"].get("message")
        got = actual.get("error", {}).get("message") if isinstance(actual, dict) else None
        if got != wanted:
            problems.append(f"error message {got!r}, expected {wanted!r}")
    return problems


def shape_problems(expected: Any, actual: Any, where: str) -> list[str]:
    """Differences in key order, list lengths and value types, recursively (values may differ)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return _dict_problems(expected, actual, where)
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(actual)} items, expected {len(expected)}"]
        pairs = zip(expected, actual, strict=True)
        return [p for e, a in pairs for p in shape_problems(e, a, f"{where}[]")]
    if _kind(expected) != _kind(actual):
        return [
            f"{where}: {_kind(actual)} {actual!r:.40}, expected {_kind(expected)} {expected!r:.40}"
        ]
    return []


def _dict_problems(expected: dict[str, Any], actual: dict[str, Any], where: str) -> list[str]:
    if expected and actual and all(str(k).isdigit() for k in [*expected, *actual]):
        # keyed by ids (linkedObjectsIds, userassigned): compare the values' shapes only
        return shape_problems(list(expected.values()), list(actual.values()), where)
    if list(expected) != list(actual):
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        detail = f"missing {missing} extra {extra}" if missing or extra else "order differs"
        return [f"{where}: keys differ: {detail}"]
    return [
        p for key in expected for p in shape_problems(expected[key], actual[key], f"{where}.{key}")
    ]


def _kind(value: Any) -> str:
    return "dict" if isinstance(value, dict) else type(value).__name__


def timing_phase(session: requests.Session, sim: Simulator, version: str) -> None:
    """Redo the writes of the latency measurements (``timings.json``, made between captures)."""
    timings = json.loads((CAPTURES / f"v{version}" / "timings.json").read_text())
    ticket = sim.backend.ticket(1)
    assert ticket is not None
    headers = {"DOLAPIKEY": API_KEY}
    bodies = {
        "/tickets": lambda n: ("POST", {"subject": f"timing ticket {n}", "message": "timing"}),
        "/tickets/1": lambda n: ("PUT", {"progress": 40 + n}),
        "/tickets/newmessage": lambda n: (
            "POST", {"track_id": ticket["track_id"], "message": f"timing message {n}"}
        ),
        "/interventions": lambda n: (
            "POST", {"socid": 1, "fk_project": 0, "description": f"timing {n}"}
        ),
    }  # fmt: skip
    for timing in timings["timings"]:
        if timing["method"] == "GET":
            continue
        for number in range(timing["n"]):
            method, body = bodies[timing["path"]](number)
            url = sim.base_url + timing["path"]
            session.request(method, url, json=body, headers=headers).raise_for_status()


def is_outgoing(capture: Mapping[str, Any]) -> bool:
    """A request Dolibarr sent to a webhook receiver, not an exchange with its API."""
    return not str(capture["request"]["path"]).startswith("/api/index.php")


def replay(version: str) -> dict[str, Outcome]:
    """Replay every exchange of ``version`` in order; outgoing webhook requests are left out."""
    everything = captures(version)
    gaps = Gaps(everything)
    event_ids = EventIds()
    sim, clock = start(version, everything[0])
    outcomes: dict[str, Outcome] = {}
    timings_at = json.loads((CAPTURES / f"v{version}" / "timings.json").read_text())["measured_at"]
    try:
        with requests.Session() as session:
            for position, capture in enumerate(everything):
                if is_outgoing(capture) or (version, capture["name"]) in ROLLED_BACK:
                    continue
                if timings_at and capture["captured_at"] >= timings_at:
                    timing_phase(session, sim, version)
                    timings_at = ""
                gaps.fill(sim, position, capture)
                prepare(sim, clock, capture)
                answer = send(session, sim, event_ids.rewrite(capture))
                gaps.adopt(sim, capture)
                event_ids.learn(capture, answer)
                problems = compare(capture, answer)
                outcomes[capture["name"]] = Outcome(capture["name"], problems)
        bugs = sim.bugs
    finally:
        sim.stop()
    if bugs:
        raise AssertionError("simulator crashed:\n" + "\n".join(bugs))
    return outcomes
