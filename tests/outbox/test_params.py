"""Stored action parameters come back as they were, deferred templates included."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dolisync.outbox.keys import marked_text, message_marker
from dolisync.outbox.params import decode, encode, needs_intervention, render
from dolisync.rules.fields import TEMPLATE_FIELDS
from dolisync.rules.templates import Template

texts = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=30)
templates = st.lists(
    st.one_of(texts, st.sampled_from(TEMPLATE_FIELDS).map(lambda name: "{" + name + "}")),
    max_size=6,
).map(lambda parts: Template.parse("".join(parts), TEMPLATE_FIELDS))
values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), texts, templates),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("abcde"), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from(["text", "lines", "private", "x"]), values, max_size=4))
def test_parameters_survive_storage(params: dict[str, Any]) -> None:
    assert decode(encode(params)) == params


@given(texts)
def test_deferred_fields_are_rendered_late_and_detected(prefix: str) -> None:
    template = Template.parse(prefix + "{intervention.ref}", TEMPLATE_FIELDS)
    stored = encode({"text": template, "private": True})
    assert needs_intervention(stored)
    assert not needs_intervention(encode({"text": prefix}))
    rendered = render(decode(stored), {"intervention.ref": "FI2612-0001"})
    assert rendered == {"text": prefix + "FI2612-0001", "private": True}


@given(texts, st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))
def test_the_message_mark_ends_the_posted_text(text: str, digits: str) -> None:
    marker = message_marker("dsr-" + digits)
    posted = marked_text(text, marker)
    assert posted.endswith(marker)
    assert posted.count(marker) == 1 or marker in text
    assert marker.startswith("[dolisync:")
    assert len(marker) == len("[dolisync:]") + 16
