"""The app's moves around the police's alerts: open one, mark it unread, "I've seen this", the Alerts settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.i18n import N_, _
from app.state.alert_settings import AlertSettingsForm
from app.state.draft import ReportDraft

if TYPE_CHECKING:
    from app.state.app_state import AppState

UNFINISHED = N_("You have an unfinished report. Save or discard it first, then come back to this alert.")


class AlertActions:
    def refresh(self: AppState) -> None:
        """Everything a sync pass may have changed: the reports, the alerts, the settings' "waiting"."""
        self.refresh_reports()
        self.alerts.refresh()
        if self.alert_settings is not None:
            self.alert_settings.reload()

    def open_alert(self: AppState, alert_id: int) -> None:
        self.notice = ""
        if self.alerts.open(alert_id):
            self.screen = "alert"
        else:
            self.notice = _("That alert has ended or was withdrawn by the police.")

    def close_alert(self: AppState) -> None:
        self.alerts.close()
        self.screen = "home"

    def mark_alert_unread(self: AppState) -> None:
        self.alerts.mark_unread()
        self.close_alert()

    def seen_alert(self: AppState) -> None:
        """ "I've seen this": a new report linked to the alert, with its category and vehicle filled in."""
        alert = self.alerts.opened
        if alert is None:
            return
        if self.draft is not None:
            self.notice = _(UNFINISHED)
            return
        self.draft = ReportDraft.start(self._store, self._ports, self.category_map, self._tz)
        self.draft.answer_alert(alert.id, alert.title, alert.category_code, alert.vehicle_registration)
        self.alerts.close()
        self.notice = ""
        self.screen = "report"

    def open_alert_settings(self: AppState) -> None:
        profile = self.profile
        self.alert_settings = AlertSettingsForm.open(
            self._store,
            self._ports,
            self.farm_name,
            profile.phone if profile else "",
            profile.email if profile else None,
            self._send_alert_choices,
        )
        self.notice = ""
        self.screen = "alert-settings"

    def close_alert_settings(self: AppState) -> None:
        self.alert_settings = None
        self.alerts.refresh()  # the distances follow the places chosen
        self.screen = "home"

    def _send_alert_choices(self: AppState) -> None:
        if self.sync is not None:
            self.sync.sync_now()
