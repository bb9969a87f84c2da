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
from app.views.settings import SettingsView
from app.views.sync_view import SyncView
from app.views.your_data import YourDataView
from core.i18n import LANGUAGES


def _speak(language: str) -> None:
    """Tell Flutter the language on screen: it sets the page's `lang` (a screen reader then reads Welsh with a
    Welsh voice, WCAG 3.1.1) and its own built-in words (a field's "double tap to edit") follow it."""
    page = ft.context.page
    page.locale_configuration = ft.LocaleConfiguration(
        supported_locales=[ft.Locale(code, "GB") for code in LANGUAGES], current_locale=ft.Locale(language, "GB")
    )
    page.update()


@ft.component
def AppView(app: AppState) -> ft.Control:
    ft.use_effect(lambda: _speak(app.language), [app.language])
    if app.screen == "register":
        return RegistrationView(app, app.registration)
    if app.screen == "report" and app.draft is not None:
        return ReportFlow(app, app.draft)
    if app.screen == "detail" and app.detail is not None:
        return ReportScreen(app, app.detail)
    if app.screen == "settings":
        return SettingsView(app)
    if app.screen == "sync" and app.sync is not None:
        return SyncView(app, app.sync)
    if app.screen == "alert" and app.alerts.opened is not None:
        return AlertScreen(app, app.alerts.opened)
    if app.screen == "alert-settings" and app.alert_settings is not None:
        return AlertSettingsView(app, app.alert_settings)
    if app.screen == "your_data" and app.your_data is not None:
        return YourDataView(app, app.your_data)
    return HomeView(app, app.sync)
