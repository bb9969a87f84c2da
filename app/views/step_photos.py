"""Step 3: up to six photos, from the camera or the gallery, with thumbnails and remove."""

from __future__ import annotations

import flet as ft

from app.i18n import _
from app.state.app_state import AppState
from app.state.draft import ReportDraft
from app.views.common import MUTED, RED, body, icon_button, primary_button, stack, warning
from wire.reports import MAX_PHOTOS_PER_REPORT


def _thumb(number: int, photo_id: str, thumbnail: str, draft: ReportDraft) -> ft.Control:
    return ft.Container(
        col={"xs": 6, "sm": 4},
        key=f"photo-{photo_id}",
        content=ft.Stack(
            [
                ft.Image(
                    src=thumbnail,
                    width=160,
                    height=160,
                    fit=ft.BoxFit.COVER,
                    border_radius=8,
                    semantics_label=_("Photo {number}").format(number=number),
                ),
                ft.Container(
                    right=4,
                    top=4,
                    content=icon_button(
                        ft.Icons.DELETE,
                        _("Remove photo {number}").format(number=number),
                        lambda e: draft.remove_photo(photo_id),
                        key=f"photo-remove-{number}",
                        color="#FFFFFF",
                        bgcolor=RED,
                    ),
                ),
            ],
            width=160,
            height=160,
        ),
    )


@ft.component
def PhotosStep(app: AppState, draft: ReportDraft) -> ft.Control:
    controls: list[ft.Control] = [
        body(_("Photos help the police. Up to {limit}; you can skip this step.").format(limit=MAX_PHOTOS_PER_REPORT)),
    ]
    if draft.photo_room > 0:
        controls.append(
            primary_button(_("Take a photo"), draft.take_photo, key="photos-camera", icon=ft.Icons.PHOTO_CAMERA)
        )
        controls.append(
            primary_button(
                _("Add photos") if not draft.photos else _("Add more photos"),
                draft.pick_photos,
                key="photos-add",
                icon=ft.Icons.ADD_A_PHOTO,
            )
        )
    if draft.photo_message:
        controls.append(warning(draft.photo_message, key="photos-message"))
    for message in draft.photo_distance_warnings():
        controls.append(warning(message))
    count = _("{count} of {limit} photos").format(count=len(draft.photos), limit=MAX_PHOTOS_PER_REPORT)
    controls.append(body(count, key="photos-count", color=MUTED))
    if draft.photos:
        controls.append(
            ft.ResponsiveRow(
                [_thumb(n, p.id, p.thumbnail, draft) for n, p in enumerate(draft.photos, start=1)],
                spacing=8,
                run_spacing=8,
            )
        )
    return stack(controls)
