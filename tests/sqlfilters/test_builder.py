"""The client's sqlfilters builder renders what Dolibarr understands, and refuses the rest."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from dolisync.dolibarr.sqlfilters import (
    DateTimeLiteral,
    and_,
    contains,
    eq,
    ge,
    gt,
    in_,
    is_not_null,
    is_null,
    le,
    like,
    like_escape,
    lt,
    ne,
    not_in,
    not_like,
    or_,
)
from tests.sqlfilters.tables import capture

T = DateTimeLiteral("2026-12-04 15:17:18")


@pytest.mark.parametrize(
    ("built", "version", "number"),
    [
        (gt("t.rowid", 100), "22.0.4", 314),
        (gt("t.tms", T) | (eq("t.tms", T) & gt("t.rowid", 7)), "22.0.4", 315),
        (eq("t.ref_client", "dolisync:ticket:172"), "22.0.4", 274),
        (eq("t.elementtype", "ticket") & gt("t.id", 221), "22.0.4", 266),
        (
            and_(
                eq("t.elementtype", "ticket"),
                eq("t.fk_element", 172),
                like("t.note", "%dolisync:msg:172-1%"),
            ),
            "22.0.4",
            267,
        ),
        (
            or_(eq("t.severity_code", "HIGH"), eq("t.severity_code", "BLOCKING"))
            & lt("t.fk_statut", 8),
            "22.0.4",
            127,
        ),
        (in_("t.fk_statut", [0, 1, 3]), "22.0.4", 124),
        (is_null("t.fk_user_assign"), "22.0.4", 129),
        (
            ge("t.tms", DateTimeLiteral("2025-06-15 10:00:00"))
            & lt("t.tms", "2025-12-01 00:00:00"),
            "22.0.4",
            222,
        ),
        (eq("t.track_id", "9y8oud94iffdaznr"), "22.0.4", 321),
        (gt("t.rowid", 100), "20.0.2", 301),
        (
            gt("t.tms", DateTimeLiteral("2026-12-04 15:19:58"))
            | (eq("t.tms", DateTimeLiteral("2026-12-04 15:19:58")) & gt("t.rowid", 7)),
            "20.0.2",
            302,
        ),
        (eq("t.ref_client", "dolisync:ticket:172"), "20.0.2", 270),
        (eq("t.elementtype", "ticket") & gt("t.id", 219), "20.0.2", 262),
    ],
)
def test_renders_the_filters_the_captures_used(built, version, number) -> None:
    assert built.render() == capture(version, number).sqlfilters
    assert str(built) == built.render()


def test_every_operator_renders() -> None:
    rendered = [
        ne("t.fk_statut", 8),
        le("t.progress", 50),
        not_like("t.subject", "%x%"),
        not_in("t.type_code", ["ISSUE", "COM"]),
        is_not_null("t.date_close"),
        ge("t.progress", 1.5),
    ]
    assert [f.render() for f in rendered] == [
        "(t.fk_statut:!=:8)",
        "(t.progress:<=:50)",
        "(t.subject:notlike:'%x%')",
        "(t.type_code:notin:'ISSUE','COM')",
        "(t.date_close:isnot:NULL)",
        "(t.progress:>=:1.5)",
    ]


def test_groups_nest_with_parentheses_and_flatten() -> None:
    a, b, c = eq("t.rowid", 1), eq("t.rowid", 2), eq("t.rowid", 3)
    assert (a & b & c).render() == "(t.rowid:=:1) and (t.rowid:=:2) and (t.rowid:=:3)"
    assert (a | b | c).render() == "((t.rowid:=:1) or (t.rowid:=:2) or (t.rowid:=:3))"
    assert (a & (b | c)).render() == "(t.rowid:=:1) and ((t.rowid:=:2) or (t.rowid:=:3))"
    assert (a | (b & c)).render() == "((t.rowid:=:1) or ((t.rowid:=:2) and (t.rowid:=:3)))"
    assert and_(a).render() == a.render()
    assert a & b == and_(a, b)  # immutable values compare by content


def test_single_quotes_inside_equality_values_are_kept() -> None:
    assert eq("t.subject", "l'imprimante").render() == "(t.subject:=:'l'imprimante')"


def test_contains_escapes_like_wildcards() -> None:
    assert like_escape(r"50%_a\b") == r"50\%\_a\\b"
    assert contains("t.note", "100%").render() == r"(t.note:like:'%100\%%')"


def test_datetime_literal_from_a_naive_server_local_datetime() -> None:
    literal = DateTimeLiteral.from_wall_clock(datetime(2025, 6, 15, 10, 0, 0))
    assert gt("t.tms", literal).render() == "(t.tms:>:'2025-06-15 10:00:00')"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: like("t.subject", "%(x)%"), ["t.subject", "'('"]),  # capture 318 -> 400
        (lambda: eq("t.subject", "a)b"), ["t.subject", "')'"]),
        (lambda: eq("t.subject", "two\nlines"), ["t.subject", "'\\n'"]),
        (lambda: eq("t.subject", "nul\x00"), ["t.subject", "'\\x00'"]),
        (lambda: like("t.note", "%it's%"), ["t.note", "quote"]),
        (lambda: eq("t.note", "at __NOW__"), ["t.note", "__NOW__"]),
        (lambda: eq("t.note", "__USER_ID__"), ["t.note", "__USER_ID__"]),
        (lambda: in_("t.type_code", ["A,B"]), ["t.type_code", "','"]),
        (lambda: in_("t.type_code", ["é"]), ["t.type_code", "'é'"]),
        (lambda: in_("t.tms", [T]), ["t.tms", "':'"]),
        (lambda: in_("t.rowid", []), ["t.rowid", "at least one"]),
        (lambda: eq("t.rowid", None), ["t.rowid", "is_null"]),  # type: ignore[arg-type]
        (lambda: eq("t.rowid", 10**14), ["t.rowid", "14-significant-digit"]),
        (lambda: eq("t.progress", 0.1 + 0.2), ["t.progress", "14-significant-digit"]),
        (lambda: eq("t.progress", float("nan")), ["t.progress", "nan"]),
        (lambda: eq("tms", 1), ["'tms'", "alias.column"]),
        (lambda: eq("t.Tms", 1), ["'t.Tms'"]),
        (lambda: eq("t.tms) or (1", 1), ["alias.column"]),
        (and_, ["at least one"]),
        (lambda: gt("t.tms", datetime(2025, 6, 15, tzinfo=UTC)), ["t.tms", "timezone"]),  # type: ignore[arg-type]
        (lambda: gt("t.tms", datetime(2025, 6, 15)), ["t.tms", "from_wall_clock"]),  # type: ignore[arg-type]
        (lambda: DateTimeLiteral("2025-06-15T10:00:00"), ["YYYY-MM-DD HH:MM:SS"]),
        (lambda: DateTimeLiteral("2025-02-30 10:00:00"), ["not a real date"]),
        (
            lambda: DateTimeLiteral.from_wall_clock(datetime(2025, 6, 15, tzinfo=UTC)),
            ["timezone"],
        ),
    ],
)
def test_refuses_what_dolibarr_cannot_read_with_a_clear_message(make, words) -> None:
    with pytest.raises(ValueError, match=re.escape(words[0])) as raised:
        make()
    for word in words:
        assert word in str(raised.value)


def test_refuses_values_of_the_wrong_type() -> None:
    with pytest.raises(TypeError):
        eq("t.rowid", True)
    with pytest.raises(TypeError):
        in_("t.type_code", "ISSUE")
    with pytest.raises(TypeError):
        and_(eq("t.rowid", 1), "(t.rowid:=:2)")  # type: ignore[arg-type]
