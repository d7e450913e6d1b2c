"""Interventions arrive with their lines and ticket links (which only the single GET shows),
and third parties and users are mirrored too."""

from __future__ import annotations

from tests.sync.conftest import Mirror


def create_intervention(mirror: Mirror, *, ticket_id: int, lines: int) -> int:
    """What a technician does in Dolibarr: an intervention from a ticket, with lines."""
    customer = int(mirror.post("/thirdparties", {"name": f"Customer of {ticket_id}"}))
    intervention = int(
        mirror.post(
            "/interventions",
            {
                "socid": customer,
                "fk_project": 0,
                "description": f"On-site visit for ticket {ticket_id}",
                "origin": "ticket",
                "origin_id": ticket_id,
            },
        )
    )
    for number in range(lines):
        add_line(mirror, intervention, f"Step {number}")
    return intervention


def add_line(mirror: Mirror, intervention: int, text: str) -> None:
    body = {"description": text, "date": int(mirror.clock.now()), "duration": 3600, "duree": 3600}
    mirror.post(f"/interventions/{intervention}/lines", body)


def test_interventions_arrive_with_their_lines_and_ticket_links(mirror: Mirror) -> None:
    mirror.sync()
    mirror.later()
    first = create_intervention(mirror, ticket_id=3, lines=2)
    second = create_intervention(mirror, ticket_id=4, lines=0)
    mirror.later()

    report = mirror.sync()

    assert report.ok, report.errors
    stored = mirror.store.get_intervention("default", first)
    assert stored is not None
    assert [line.description for line in stored.lines] == ["Step 0", "Step 1"]
    assert stored.linked_ticket_ids == (3,)
    assert [i.id for i in mirror.store.interventions_for_ticket("default", 4)] == [second]
    assert mirror.mirrored() == mirror.truth()
    assert mirror.store.get_thirdparty("default", stored.socid or 0) is not None


def test_a_new_line_updates_the_intervention_and_costs_one_detail_read(mirror: Mirror) -> None:
    intervention = create_intervention(mirror, ticket_id=5, lines=1)
    mirror.later()
    mirror.sync()
    mirror.later()
    add_line(mirror, intervention, "Came back with the part")
    mirror.later()
    mirror.clear_calls()

    report = mirror.sync(["interventions"])

    assert report.updated == 1
    assert mirror.api_calls() == [
        ("GET", "/status"),
        ("GET", "/interventions"),
        ("GET", f"/interventions/{intervention}"),
    ]
    stored = mirror.store.get_intervention("default", intervention)
    assert stored is not None
    assert len(stored.lines) == 2
    assert stored.linked_ticket_ids == (5,)


def test_refresh_reads_one_object_now(mirror: Mirror) -> None:
    mirror.sync()
    mirror.later()
    mirror.sim.control.touch(ids=[6], field="subject", value="Changed behind our back")
    mirror.clear_calls()

    report = mirror.engine.refresh("tickets", 6)

    assert report.updated == 1
    assert mirror.api_calls() == [("GET", "/tickets/6")]
    assert mirror.mirrored().tickets[6][2] == "Changed behind our back"


def test_refresh_of_an_object_dolibarr_lost_marks_it_deleted(mirror: Mirror) -> None:
    mirror.sync()
    mirror.sim.control.delete_ticket(6)

    report = mirror.engine.refresh("tickets", 6)

    assert report.deleted == 1
    assert mirror.store.get_ticket("default", 6) is None


def test_refresh_of_a_message_and_of_an_intervention(mirror: Mirror) -> None:
    intervention = create_intervention(mirror, ticket_id=2, lines=1)
    message = mirror.sim.control.add_message(2, "Hello")

    assert mirror.engine.refresh("messages", message).created == 1
    assert mirror.engine.refresh("interventions", intervention).created == 1
    stored = mirror.store.get_intervention("default", intervention)
    assert stored is not None
    assert stored.linked_ticket_ids == (2,)
