"""``make demo`` (``python -m dolisync.demo``): dolisync mirroring a simulated Dolibarr.

What this module knows: how to put the two together for a newcomer. It starts the bundled
simulator in this process (seeded tickets, port 8080 or a free one if 8080 is busy), writes a
copy of ``config.example.toml`` pointing at it, and runs dolisync as a subprocess with the key
in ``DOLISYNC_API_KEY``: ``dolisync run`` (the daemon) when the CLI has it, else
``dolisync sync`` every few seconds. Between cycles it changes a few tickets behind
dolisync's back, so each cycle shows incremental sync at work. Ctrl-C stops both (exit 0).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from dolisync.records import TICKET_STATUS_NAMES
from dolisync.simulator import Simulator, SimulatorOptions

EXAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "config.example.toml"
DEMO_PORT = 8080
DEMO_TICKETS = 200


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dolisync.demo", description=__doc__)
    parser.add_argument("--cycles", type=int, default=0, help="stop after N sync cycles (0: never)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between cycles")
    parser.add_argument("--store", type=Path, default=Path("dolisync-demo.db"), help="SQLite file")
    args = parser.parse_args(argv)
    options = SimulatorOptions(port=_free_port(DEMO_PORT), tickets=DEMO_TICKETS, seed=1)
    with Simulator(options) as sim, tempfile.TemporaryDirectory(prefix="dolisync-demo-") as tmp:
        config = _demo_config(Path(tmp), sim.root_url, args.store.resolve())
        env = {**os.environ, "DOLISYNC_API_KEY": sim.api_key}
        _say(f"Simulated Dolibarr {options.version} with {DEMO_TICKETS} tickets at {sim.root_url}")
        _say(f"dolisync mirrors it into {args.store} (config: copy of {EXAMPLE_CONFIG.name})")
        _say("Ctrl-C to stop.\n")
        try:
            if args.cycles == 0 and _has_command(env, "run"):
                _daemon(sim, config, env, max(args.interval, 10.0))
            else:
                _sync_loop(sim, config, env, args.cycles, args.interval)
        except KeyboardInterrupt:
            _say("\nstopped")
    return 0


def _daemon(sim: Simulator, config: Path, env: dict[str, str], interval: float) -> None:
    """``dolisync run`` in the background while Dolibarr's users keep changing tickets.

    The daemon gets its own session, so a Ctrl-C reaches only this process, which then
    stops the daemon with one SIGINT (two would make it stop without finishing its step).
    """
    daemon = subprocess.Popen(  # noqa: S603 - our own CLI
        [*_argv(config), "run"], env=env, start_new_session=True
    )
    onsite: int | None = None
    try:
        while daemon.poll() is None:
            time.sleep(interval)
            if onsite is None:
                onsite = _new_onsite_ticket(sim)
            else:
                _report_onsite(sim, onsite)
                _change_some_tickets(sim)
    finally:
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGINT)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()


def _sync_loop(
    sim: Simulator, config: Path, env: dict[str, str], cycles: int, interval: float
) -> None:
    cycle = 0
    while True:
        cycle += 1
        _say(f"== sync {cycle} ==")
        _dolisync(config, env, "sync")
        _dolisync(config, env, "status")
        if cycles and cycle >= cycles:
            return
        _change_some_tickets(sim)
        time.sleep(interval)


def _new_onsite_ticket(sim: Simulator) -> int:
    """A customer asks for on-site work: the example rule should act on it."""
    ticket_id = sim.control.create_ticket(
        subject="The oven does not heat any more",
        message="Our main oven stopped this morning. Can a technician come?",
        category_code="ONSITE",
        severity_code="HIGH",
        type_code="ISSUE",
        fk_soc=1,
    )
    _say(
        f"\n(a customer just opened ticket {ticket_id} in the ONSITE category: the rule "
        "'onsite-needs-intervention' of config.example.toml should give it a draft "
        "intervention, a private note naming it, and move it to in progress)"
    )
    return ticket_id


def _report_onsite(sim: Simulator, ticket_id: int) -> None:
    """What Dolibarr now shows for the on-site ticket, read through its own API."""
    api = f"{sim.base_url}"
    headers = {"DOLAPIKEY": sim.api_key}
    ticket = requests.get(f"{api}/tickets/{ticket_id}", headers=headers, timeout=10).json()
    found = requests.get(
        f"{api}/interventions",
        params={"sqlfilters": "(t.ref_client:like:'dolisync:%')", "sortfield": "t.rowid"},
        headers=headers,
        timeout=10,
    ).json()
    mine = [
        item
        for item in found
        if f"{ticket_id}"
        in str(
            requests.get(f"{api}/interventions/{item['id']}", headers=headers, timeout=10)
            .json()
            .get("linkedObjectsIds")
        )
    ]
    status = TICKET_STATUS_NAMES.get(int(ticket.get("status") or 0), ticket.get("status"))
    notes = [m for m in ticket.get("messages") or [] if "dolisync rule" in (m.get("message") or "")]
    refs = ", ".join(item["ref"] for item in mine) or "none yet"
    _say(
        f"\n(ticket {ticket_id} in Dolibarr: status {status}; interventions linked by dolisync:"
        f" {refs}; dolisync notes: {len(notes)})"
    )


def _change_some_tickets(sim: Simulator) -> None:
    touched = sim.control.touch(3)
    sim.control.add_message(touched[0], "Customer: any news? (sent by the demo)")
    _say(
        f"\n(in Dolibarr, someone just changed tickets {', '.join(map(str, touched))} and "
        f"wrote on ticket {touched[0]}: the next sync fetches only those)"
    )


def _argv(config: Path) -> list[str]:
    return [sys.executable, "-m", "dolisync", "--config", str(config), "--log-format", "console"]


def _dolisync(config: Path, env: dict[str, str], *command: str) -> None:
    subprocess.run([*_argv(config), *command], env=env, check=False)  # noqa: S603 - our own CLI


def _has_command(env: dict[str, str], name: str) -> bool:
    argv = [sys.executable, "-m", "dolisync", name, "--help"]
    found = subprocess.run(argv, env=env, capture_output=True, check=False)  # noqa: S603
    return found.returncode == 0


def _demo_config(folder: Path, root_url: str, store: Path) -> Path:
    """``config.example.toml`` with the simulator's URL and an absolute store path."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^url = "http://127\.0\.0\.1:8080"$', f'url = "{root_url}"', text)
    text = re.sub(r'(?m)^url = "sqlite:///[^"]*"$', f'url = "sqlite:///{store}"', text)
    # cycles every few seconds, so the demo shows something within a minute
    text = re.sub(r'(?m)^# interval = "60s"$', 'interval = "5s"', text)
    config = folder / "dolisync-demo.toml"
    config.write_text(text, encoding="utf-8")
    return config


def _free_port(preferred: int) -> int:
    """``preferred`` if nothing listens there, else any free port."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            return 0
    return preferred


def _say(text: str) -> None:
    print(text, flush=True)  # the demo talks to the person who ran `make demo`


if __name__ == "__main__":
    sys.exit(main())
