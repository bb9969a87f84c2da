"""Step 5: the category's own fields, when it happened, what was seen, people and vehicles."""

from __future__ import annotations

import flet as ft

from app.i18n import N_, _
from app.state.app_state import AppState
from app.state.draft import ReportDraft
from app.views.common import (
    GREEN,
    body,
    checkbox,
    choice_list,
    error_text,
    radio,
    secondary_button,
    stack,
    subheading,
    text_field,
)
from wire.categories import FieldSpec


def _field(spec: FieldSpec, draft: ReportDraft) -> ft.Control:
    control = _input(spec, draft)
    error = draft.field_errors.get(f"detail-{spec.name}")
    if error and spec.kind in ("choice", "multichoice", "boolean"):  # a text field shows its own
        return ft.Column([control, error_text(error, key=f"detail-{spec.name}-error")], spacing=4)
    return control


def _input(spec: FieldSpec, draft: ReportDraft) -> ft.Control:
    value = draft.details.get(spec.name)
    key = f"detail-{spec.name}"
    label = (_("{label} (required)") if spec.required else _("{label} (optional)")).format(label=_(spec.label))
    if spec.kind == "choice":
        choices = tuple((choice, _(choice)) for choice in spec.choices or ())
        return choice_list(label, choices, value, lambda chosen: draft.set_detail(spec.name, chosen), key=key)
    if spec.kind == "multichoice":
        chosen = set(value or [])
        return ft.Column(
            [subheading(label)]
            + [
                checkbox(
                    _(choice),
                    choice in chosen,
                    lambda ticked, c=choice: draft.toggle_choice(spec.name, c, ticked),
                    key=f"{key}-{choice}",
                )
                for choice in spec.choices or ()
            ],
            spacing=0,
        )
    if spec.kind == "boolean":
        return checkbox(label, bool(value), lambda ticked: draft.set_detail(spec.name, ticked), key=key)
    numeric = spec.kind in ("integer", "money")
    return text_field(
        label,
        "" if value is None else str(value),
        lambda e: draft.set_detail(spec.name, e.control.value),
        key=key,
        keyboard=ft.KeyboardType.NUMBER if numeric else ft.KeyboardType.TEXT,
        multiline=spec.max_length > 500,
        error=draft.field_errors.get(key),
        hint=_("e.g. 3") if spec.kind == "integer" else _("e.g. 250") if numeric else None,
    )


def _vehicle(index: int, vehicle: dict[str, str], draft: ReportDraft) -> ft.Control:
    def field(name: str, label: str, **kw: object) -> ft.TextField:
        return text_field(
            label,
            vehicle.get(name, ""),
            lambda e: draft.set_vehicle(index, name, e.control.value),
            key=f"vehicle-{index}-{name}",
            **kw,
        )  # type: ignore[arg-type]

    number = index + 1
    return ft.Container(
        border=ft.Border.all(1, "#999999"),
        border_radius=8,
        padding=12,
        key=f"vehicle-{index}",
        content=stack(
            [
                subheading(_("Vehicle {number}").format(number=number)),
                field(
                    "registration",
                    _("Registration (optional)"),
                    capitalization=ft.TextCapitalization.CHARACTERS,
                    on_blur=lambda e: draft.tidy_registration(index),
                    helper=_("Even part of one helps"),
                ),
                field("make", _("Make (optional)")),
                field("model", _("Model (optional)")),
                field("colour", _("Colour (optional)")),
                field(
                    "direction",
                    _("Direction of travel (optional)"),
                    hint=_("e.g. north towards Faversham on the A2"),
                ),
                secondary_button(
                    _("Remove vehicle {number}").format(number=number),
                    lambda e: draft.remove_vehicle(index),
                    key=f"vehicle-{index}-remove",
                    icon=ft.Icons.DELETE,
                ),
            ],
            spacing=12,
        ),
    )


# What sending without a name means, in plain words, shown before the farmer chooses.
WITHOUT_NAME_MEANS = (
    N_("The police will not see your name, phone number, email, farm name or postcode."),
    N_("They cannot call you back, so tell them everything they need here."),
    N_("The place you gave is still sent, so they know where it happened."),
    N_("You will still see their answers here, in the app."),
)


def _without_name(draft: ReportDraft) -> ft.Control:
    """The choice the intimidation categories offer: fear of the offenders stops people reporting."""

    def choose(value: str) -> None:
        draft.send_without_name(value == "without")

    return ft.Container(
        key="anonymous",
        padding=12,
        border=ft.Border.all(2, GREEN),
        border_radius=8,
        content=stack(
            [
                subheading(_("Send without your name?")),
                body(_("You can send this report without your name. If you do:")),
                *[body(f"• {_(line)}") for line in WITHOUT_NAME_MEANS],
                ft.RadioGroup(
                    key="anonymous-choice",
                    value="without" if draft.anonymous else "with",
                    on_change=lambda e: choose(e.control.value),
                    content=ft.Column(
                        [
                            radio("with", _("Send with my name"), "anonymous-with", choose),
                            radio("without", _("Send without my name"), "anonymous-without", choose),
                        ],
                        spacing=0,
                    ),
                ),
            ],
            spacing=8,
        ),
    )


@ft.component
def DetailsStep(app: AppState, draft: ReportDraft) -> ft.Control:
    beside = set(draft.field_errors.values())  # shown beside their fields; the rest at the top
    controls: list[ft.Control] = [error_text(m) for m in draft.errors.get("details", []) if m not in beside]
    spec = draft.category_spec
    if spec is not None and spec.anonymous_offered:
        controls.append(_without_name(draft))
    if spec is not None:
        controls.append(subheading(_(spec.label)))
        controls += [_field(f, draft) for f in spec.fields]
    controls += [
        subheading(_("When did it happen?")),
        text_field(
            _("Date and time"),
            draft.occurred_text,
            lambda e: draft.set_text("occurred_text", e.control.value),
            key="detail-occurred",
            hint="23/11/2026 14:05",
            error=draft.field_errors.get("detail-occurred"),
        ),
        # Under the field, not beside it: with large text the field keeps the whole width for the time.
        ft.Row([secondary_button(_("Now"), lambda e: draft.occurred_now(), key="detail-occurred-now")]),
        text_field(
            _("What happened (optional)"),
            draft.description,
            lambda e: draft.set_text("description", e.control.value),
            key="detail-description",
            multiline=True,
        ),
        subheading(_("People")),
        text_field(
            _("How many people (optional)"),
            draft.people_count,
            lambda e: draft.set_text("people_count", e.control.value),
            key="detail-people-count",
            keyboard=ft.KeyboardType.NUMBER,
            error=draft.field_errors.get("detail-people-count"),
            hint=_("e.g. 3"),
        ),
        text_field(
            _("What they looked like, accents, what was said (optional)"),
            draft.people_description,
            lambda e: draft.set_text("people_description", e.control.value),
            key="detail-people-description",
            multiline=True,
        ),
        subheading(_("Vehicles")),
    ]
    controls += [_vehicle(i, v, draft) for i, v in enumerate(draft.vehicles)]
    controls.append(
        secondary_button(
            _("Add a vehicle"), lambda e: draft.add_vehicle(), key="vehicle-add", icon=ft.Icons.DIRECTIONS_CAR
        )
    )
    return stack(controls)
