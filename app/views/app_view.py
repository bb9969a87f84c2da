"""The root of the UI: the screen the state says, nothing else."""

from __future__ import annotations

import flet as ft

from app.state.app_state import AppState
from app.views.alert_screen import AlertScreen
from app.views.alert_settings import AlertSettingsView
from app.views.home import HomeView
from app.views.registration import RegistrationView
from app.views.report_flow import ReportFlow
from app.views.report_screen import ReportScreen
from app.views.sync_view import SyncView
from app.views.your_data import YourDataView


@ft.component
def AppView(app: AppState) -> ft.Control:
    if app.screen == "register":
        return RegistrationView(app, app.registration)
    if app.screen == "report" and app.draft is not None:
        return ReportFlow(app, app.draft)
    if app.screen == "detail" and app.detail is not None:
        return ReportScreen(app, app.detail)
    if app.screen == "sync" and app.sync is not None:
        return SyncView(app, app.sync)
    if app.screen == "alert" and app.alerts.opened is not None:
        return AlertScreen(app, app.alerts.opened)
    if app.screen == "alert-settings" and app.alert_settings is not None:
        return AlertSettingsView(app, app.alert_settings)
    if app.screen == "your_data" and app.your_data is not None:
        return YourDataView(app, app.your_data)
    return HomeView(app, app.sync)
