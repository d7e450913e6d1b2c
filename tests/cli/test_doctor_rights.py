"""``dolisync doctor`` against a simulated Dolibarr whose API user lacks rights: each missing
read right is a failure naming it; a user that cannot see all third parties' records (lists
come back empty, as on the real 20.0.2 and 22.0.4) is a warning naming the right to give."""

from __future__ import annotations

from collections.abc import Callable

from dolisync.errors import EXIT_AUTH
from dolisync.simulator import Simulator
from dolisync.simulator.testing import SimulatorFactory
from tests.cli.conftest import Cli
from tests.cli.test_doctor_help import lines_by_status

KEY = "limited-user-key-0123456789abcdef"
READ_ALL = (
    "tickets.read", "agenda.read", "agenda.read_all", "interventions.read",
    "thirdparties.read", "thirdparties.all", "users.read",
)  # fmt: skip
ALL_THIRDPARTIES = "'Read third parties' + 'Extend access to all third parties'"


def limited(
    simulator_factory: SimulatorFactory, make_cli: Callable[..., Cli], *rights: str
) -> tuple[Simulator, Cli]:
    sim = simulator_factory(users=[{"login": "sync", "api_key": KEY, "rights": rights}])
    return sim, make_cli(sim.base_url, KEY)


def check_line(output: str, name: str) -> str:
    (line,) = [line for line in output.splitlines() if line[6:].startswith(f"{name}:")]
    return line


def test_a_missing_read_right_fails_naming_the_right(
    simulator_factory: SimulatorFactory, make_cli: Callable[..., Cli]
) -> None:
    without_users = [right for right in READ_ALL if right != "users.read"]
    _, cli = limited(simulator_factory, make_cli, *without_users)

    result = cli("doctor")

    assert result.exit_code == EXIT_AUTH, result.output
    (failure,) = lines_by_status(result.stdout)["FAIL"]
    assert failure == (
        "FAIL  users: the API user lacks Users > Read other users (GET /users: 403 "
        "Forbidden: You are not allowed to read list of users)"
    )
    assert "hint: give the API user the right Users > Read other users" in result.stdout
    for entity in ("tickets", "messages", "interventions", "thirdparties"):
        assert check_line(result.stdout, entity).startswith(f"ok    {entity}: readable (")
    assert KEY not in result.output


def test_the_captured_limited_user_fails_every_right_it_lacks(
    simulator_factory: SimulatorFactory, make_cli: Callable[..., Cli]
) -> None:
    """The live suite's user with only Tickets > Read (live captures 017-022)."""
    _, cli = limited(simulator_factory, make_cli, "tickets.read")

    result = cli("doctor")

    assert result.exit_code == EXIT_AUTH, result.output
    failed = [line.split(":")[0].split()[-1] for line in lines_by_status(result.stdout)["FAIL"]]
    assert failed == ["messages", "interventions", "thirdparties", "users"]
    assert "Insufficient rights to read events" in check_line(result.stdout, "messages")
    assert "lacks Interventions > Read interventions" in check_line(result.stdout, "interventions")
    tickets = check_line(result.stdout, "tickets")
    assert tickets.startswith("warn  tickets: readable, but the API user sees none (/tickets)")
    assert f"hint: give the API user the rights {ALL_THIRDPARTIES}" in result.stdout


def test_a_user_limited_to_its_customers_is_warned_until_it_sees_all(
    simulator_factory: SimulatorFactory, make_cli: Callable[..., Cli]
) -> None:
    reads = [right for right in READ_ALL if right != "thirdparties.all"]
    sim, cli = limited(simulator_factory, make_cli, *reads)
    user_id = int(sim.backend.db.scalar("SELECT rowid FROM llx_user WHERE login = 'sync'"))

    nothing = cli("doctor")
    customer = int(sim.backend.db.scalar("SELECT MIN(fk_soc) FROM llx_ticket"))
    sim.control.add_representative(customer, user_id)
    some = cli("doctor")
    sim.control.set_rights(user_id, READ_ALL)
    everything = cli("doctor")

    assert (nothing.exit_code, some.exit_code, everything.exit_code) == (0, 0, 0)  # warnings
    assert check_line(nothing.stdout, "tickets") == (
        "warn  tickets: readable, but the API user sees none (/tickets): it lacks "
        "'Extend access to all third parties'"
    )
    assert f"hint: give the API user the rights {ALL_THIRDPARTIES}" in nothing.stdout
    assert check_line(some.stdout, "tickets").startswith(
        "warn  tickets: readable, but the API user sees only the records of its own customers"
    )
    assert check_line(some.stdout, "users").startswith("ok    users: readable (")
    assert lines_by_status(everything.stdout)["warn"] == []
    for entity in ("tickets", "messages", "interventions", "thirdparties"):
        assert check_line(everything.stdout, entity).startswith(f"ok    {entity}: readable (")
