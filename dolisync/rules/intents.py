"""A rule's actions compiled, once, into a function: ticket view -> intended actions.

Evaluation renders templates for every firing, so each template becomes a list of literal
texts and field readers (``{rule.name}`` is a literal by then). Templates that name fields
only the outbox knows (``{intervention.ref}``), and interventions with their lines, take
the general path: ``ActionSpec.intend`` with the values of the fields they name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dolisync.rules.actions import ActionSpec
from dolisync.rules.fields import TEMPLATE_READERS, template_values
from dolisync.rules.firing import IntendedAction
from dolisync.rules.templates import FieldRef, Template
from dolisync.rules.view import TicketView

Intend = Callable[[TicketView], tuple[IntendedAction, ...]]
Render = Callable[[TicketView], str]


def compile_actions(
    actions: Sequence[ActionSpec], *, rule_name: str, rule_description: str
) -> Intend:
    constants = {"rule.name": rule_name, "rule.description": rule_description}
    makers = [_compile_action(action, constants) for action in actions]
    return lambda view: tuple([make(view) for make in makers])


def _compile_action(
    action: ActionSpec, constants: Mapping[str, str]
) -> Callable[[TicketView], IntendedAction]:
    names = action.template_fields
    if (
        action.kind == "create_intervention"
        or not names <= TEMPLATE_READERS.keys() | constants.keys()
    ):

        def general(view: TicketView) -> IntendedAction:
            values = template_values(
                view,
                names,
                rule_name=constants["rule.name"],
                rule_description=constants["rule.description"],
            )
            return action.intend(view, values)

        return general
    kind, index, fixed = action.kind, action.index, action.fixed_params
    renders = [
        (key, _render(value, constants))
        for key, value in action.settings.items()
        if isinstance(value, Template)
    ]

    def make(view: TicketView) -> IntendedAction:
        params: dict[str, Any] = dict(fixed)
        for key, render in renders:
            params[key] = render(view)
        return IntendedAction(kind, params, index)

    return make


def _render(template: Template, constants: Mapping[str, str]) -> Render:
    parts: list[str | Render] = []
    for part in template.parts:
        piece: str | Render
        if isinstance(part, FieldRef):
            name = part.name
            piece = constants[name] if name in constants else TEMPLATE_READERS[name]
        else:
            piece = part
        if isinstance(piece, str) and parts and isinstance(parts[-1], str):
            parts[-1] += piece
        elif piece != "":
            parts.append(piece)
    if all(isinstance(piece, str) for piece in parts):
        text = "".join(piece for piece in parts if isinstance(piece, str))
        return lambda _view: text
    return lambda view: "".join(
        [piece if isinstance(piece, str) else piece(view) for piece in parts]
    )
