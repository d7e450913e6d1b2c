"""Users other than the admin: each endpoint checks the rights Dolibarr checks (403 with its
text), and a user without "all third parties" sees only its own customers' records."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from dolisync.simulator import Simulator, SimulatorOptions
from dolisync.simulator.rights import RIGHTS, UserSpec
from dolisync.simulator.testing import SimulatorFactory

KEY = "user-key-0123456789abcdef"
EVERY_READ = ("tickets.read", "interventions.read", "thirdparties.read", "users.read",
              "agenda.read")  # fmt: skip


class As:
    """Requests with one user's key: ``api("GET", "/tickets")`` -> (status, JSON body)."""

    def __init__(self, sim: Simulator, key: str) -> None:
        self.sim, self.key = sim, key

    def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        answer = requests.request(
            method,
            self.sim.base_url + path,
            json=body,
            params=params or None,
            headers={"DOLAPIKEY": self.key},
            timeout=10,
        )
        return answer.status_code, answer.json() if answer.content else None


def user(sim_factory: SimulatorFactory, *rights: str, **options: Any) -> tuple[Simulator, As]:
    spec = {"login": "sync", "api_key": KEY, "rights": list(rights)}
    sim = sim_factory(users=[spec], **options)
    return sim, As(sim, KEY)


def user_id(sim: Simulator, login: str = "sync") -> int:
    return int(sim.backend.db.scalar("SELECT rowid FROM llx_user WHERE login = ?", [login]))


def message(body: Any) -> str:
    return str(body["error"]["message"])


def ids(body: Any) -> set[int]:
    return {int(item["id"]) for item in body}


def customer_with_tickets(sim: Simulator) -> tuple[int, set[int]]:
    socid = int(sim.backend.db.scalar("SELECT MIN(fk_soc) FROM llx_ticket"))
    rows = sim.backend.db.all("SELECT rowid FROM llx_ticket WHERE fk_soc = ?", [socid])
    return socid, {int(row[0]) for row in rows}


def test_the_admin_still_sees_everything(simulator: Simulator) -> None:
    admin = As(simulator, simulator.api_key)
    status, tickets = admin("GET", "/tickets", limit=0)
    assert status == 200
    assert len(tickets) == 30


def test_lists_show_only_the_customers_the_user_follows(
    simulator_factory: SimulatorFactory,
) -> None:
    sim, api = user(simulator_factory, *EVERY_READ)
    socid, their_tickets = customer_with_tickets(sim)
    assert api("GET", "/tickets") == (200, [])
    assert api("GET", "/thirdparties") == (200, [])

    sim.control.add_representative(socid, user_id(sim))

    assert ids(api("GET", "/tickets", limit=0)[1]) == their_tickets
    assert ids(api("GET", "/thirdparties")[1]) == {socid}
    interventions = api("GET", "/interventions", limit=0)[1]
    assert {item["socid"] for item in interventions} <= {str(socid)}
    events = api("GET", "/agendaevents", limit=0)[1]
    assert events
    assert {event["socid"] for event in events} == {str(socid)}


def test_naming_a_third_party_lifts_the_list_filter_as_in_dolibarr(
    simulator_factory: SimulatorFactory,
) -> None:
    sim, api = user(simulator_factory, "tickets.read", "interventions.read")
    socid, their_tickets = customer_with_tickets(sim)

    assert ids(api("GET", "/tickets", socid=socid, limit=0)[1]) == their_tickets
    status, interventions = api("GET", "/interventions", thirdparty_ids=str(socid))
    assert status == 200
    assert {item["socid"] for item in interventions} <= {str(socid)}


def test_all_third_parties_shows_every_record(simulator_factory: SimulatorFactory) -> None:
    _, api = user(simulator_factory, "tickets.read", "thirdparties.read", "thirdparties.all")

    assert len(api("GET", "/tickets", limit=0)[1]) == 30
    assert len(api("GET", "/thirdparties")[1]) >= 3


def test_single_records_of_unfollowed_customers(simulator_factory: SimulatorFactory) -> None:
    sim, api = user(simulator_factory, *EVERY_READ)
    socid, their_tickets = customer_with_tickets(sim)
    intervention = int(sim.backend.db.scalar("SELECT MIN(rowid) FROM llx_fichinter"))

    assert api("GET", f"/tickets/{min(their_tickets)}")[0] == 200  # Dolibarr exempts tickets
    status, body = api("GET", f"/interventions/{intervention}")
    assert (status, message(body)) == (403, "Forbidden: Access not allowed for login sync")
    status, body = api("GET", f"/thirdparties/{socid}")
    assert (status, message(body)) == (
        403,
        "Forbidden: Access not allowed for login sync on this thirdparty",
    )
    fk_soc = sim.backend.db.scalar(
        "SELECT fk_soc FROM llx_fichinter WHERE rowid = ?", [intervention]
    )
    sim.control.add_representative(int(fk_soc), user_id(sim))
    assert api("GET", f"/interventions/{intervention}")[0] == 200


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/tickets/1", "Forbidden"),
        ("/interventions/1", "Forbidden"),
        ("/agendaevents/1", "Forbidden: Insufficient rights to read an event"),
        ("/users/1", "Forbidden: Not allowed"),
        ("/users/info", "Forbidden: Not allowed"),
        (
            "/thirdparties/1",
            "Forbidden: Access not allowed for login sync. No read permission on thirdparties.",
        ),
    ],
)
def test_reading_without_the_right_is_403_with_dolibarr_s_text(
    simulator_factory: SimulatorFactory, path: str, text: str
) -> None:
    _, api = user(simulator_factory)

    status, body = api("GET", path)

    assert (status, message(body)) == (403, text)


def test_one_s_own_user_is_always_readable(simulator_factory: SimulatorFactory) -> None:
    sim, api = user(simulator_factory)

    status, body = api("GET", f"/users/{user_id(sim)}")

    assert (status, body["login"]) == (200, "sync")


def test_an_event_of_another_owner_needs_read_all(simulator_factory: SimulatorFactory) -> None:
    sim, api = user(simulator_factory, "agenda.read")
    event = int(sim.backend.db.scalar("SELECT MIN(id) FROM llx_actioncomm"))  # the admin's

    status, body = api("GET", f"/agendaevents/{event}")
    assert (status, message(body)) == (
        403,
        f"Forbidden: Insufficient rights to read event of this owner id. Your id is {user_id(sim)}",
    )
    sim.control.set_rights(user_id(sim), ["agenda.read", "agenda.read_all"])
    assert api("GET", f"/agendaevents/{event}")[0] == 200


def test_writes_need_the_write_rights(simulator_factory: SimulatorFactory) -> None:
    sim, api = user(simulator_factory, *EVERY_READ)
    ticket = sim.backend.ticket(1)
    assert ticket is not None
    new_ticket = {"subject": "s", "message": "m"}
    message_body = {"track_id": ticket["track_id"], "message": "m"}
    intervention = {"socid": 1, "fk_project": 0, "description": "d"}

    assert api("POST", "/tickets", new_ticket)[0] == 403
    assert api("PUT", "/tickets/1", {"progress": 5})[0] == 403
    assert api("POST", "/tickets/newmessage", message_body)[0] == 403
    status, body = api("POST", "/interventions", intervention)
    assert (status, message(body)) == (403, "Forbidden: Insufficiant rights")
    assert message(api("POST", "/interventions/1/validate")[1]) == "Forbidden: Insufficiant rights"
    assert api("POST", "/thirdparties", {"name": "x"})[0] == 403  # the admin's only

    sim.control.set_rights(user_id(sim), [*EVERY_READ, "tickets.write"])
    assert api("POST", "/tickets", new_ticket)[0] == 200
    assert api("POST", "/tickets/newmessage", message_body)[0] == 200


def test_changing_an_unfollowed_intervention_is_refused(
    simulator_factory: SimulatorFactory,
) -> None:
    sim, api = user(simulator_factory, "interventions.read", "interventions.create")
    intervention = int(sim.backend.db.scalar("SELECT MIN(rowid) FROM llx_fichinter"))

    status, body = api("POST", f"/interventions/{intervention}/close")

    assert (status, message(body)) == (403, "Forbidden: Access not allowed for login sync")
    assert api("POST", "/interventions/999999/close")[0] == 404  # existence comes first


def test_users_info_shows_the_rights_tree(simulator_factory: SimulatorFactory) -> None:
    sim, api = user(simulator_factory, "users.read", "tickets.read", "thirdparties.all")

    status, info = api("GET", "/users/info", includepermissions=1)

    assert (status, info["login"], info["admin"]) == (200, "sync", "0")
    assert info["rights"]["ticket"] == {"read": 1}
    assert info["rights"]["societe"] == {"client": {"voir": 1}}
    assert info["rights"]["user"]["user"] == {"lire": 1}
    assert "ficheinter" not in info["rights"]
    admin = As(sim, sim.api_key)("GET", "/users/info", includepermissions=1)[1]
    assert admin["admin"] == "1"
    assert admin["rights"]["ficheinter"]["creer"] == 1


def test_the_control_api_adds_users_and_grants_rights(simulator: Simulator) -> None:
    control = simulator.root_url + "/_simulator"
    spec = {"login": "late", "api_key": "late-key-0123456789", "rights": ["tickets.read"]}

    created = requests.post(f"{control}/users", json=spec, timeout=10).json()
    api = As(simulator, "late-key-0123456789")
    assert api("GET", "/tickets")[1] == []
    requests.put(
        f"{control}/users/{created['id']}/rights",
        json={"rights": ["tickets.read", "thirdparties.all"]},
        timeout=10,
    ).raise_for_status()
    assert len(api("GET", "/tickets", limit=0)[1]) == 30
    refused = requests.put(
        f"{control}/users/{created['id']}/rights", json={"rights": ["root"]}, timeout=10
    )
    assert refused.status_code == 400
    assert "unknown right 'root'" in refused.json()["error"]


def test_options_refuse_unknown_rights_and_shared_keys() -> None:
    with pytest.raises(ValueError, match=r"unknown right 'tickets\.rwx'"):
        SimulatorOptions(users=["a:k1:tickets.rwx"])
    with pytest.raises(ValueError, match="its own login and API key"):
        SimulatorOptions(users=["a:same", "b:same:"])
    with pytest.raises(ValueError, match="write login:api_key"):
        SimulatorOptions(users=["no-key"])
    with pytest.raises(ValueError, match="its own login and API key"):
        SimulatorOptions(users=[{"login": "admin", "api_key": "k2"}])
    assert "k3y" not in repr(SimulatorOptions(users=["a:k3y:users.read"]))


@given(st.frozensets(st.sampled_from(sorted(RIGHTS))))
def test_a_user_spec_reads_back_its_rights(rights: frozenset[str]) -> None:
    spec = UserSpec.parse(f"tech-1:key:{','.join(sorted(rights))}")
    assert (spec.login, spec.api_key, spec.rights) == ("tech-1", "key", rights)


def test_the_simulator_command_takes_users() -> None:
    command = [sys.executable, "-m", "dolisync", "simulator", "--port", "0", "--tickets", "3",
               "--auth-delay", "0", "--user", f"sync:{KEY}:tickets.read"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        url = [process.stdout.readline() for _ in range(2)][1].split()[1]
        users = requests.get(f"{url}/api/index.php/users", headers={"DOLAPIKEY": KEY}, timeout=10)
        tickets = requests.get(
            f"{url}/api/index.php/tickets", headers={"DOLAPIKEY": KEY}, timeout=10
        )
        process.terminate()
        assert process.wait(timeout=20) == 0
    assert users.status_code == 403
    assert (tickets.status_code, tickets.json()) == (200, [])


def test_the_simulator_command_lists_every_right_in_its_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dolisync", "simulator", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    flat = "".join(result.stdout.split())
    assert all(name in flat for name in RIGHTS)
