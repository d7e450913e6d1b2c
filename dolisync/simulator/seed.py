"""Seeded data (placeholder)."""

from __future__ import annotations

from dolisync.simulator.backend import Backend


def seed(backend: Backend, *, tickets: int, seed: int) -> None:
    for number in range(tickets):
        backend.create_ticket({"subject": f"Ticket {number}", "message": "Seeded.", "fk_statut": 0})
