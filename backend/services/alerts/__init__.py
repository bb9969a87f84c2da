"""Alerts from the police to farmers (issue 19).

- `geometry`: circles, their bounding boxes, coarse places, whether two circles meet, how far a force area reaches;
- `issuing`: issue, edit and withdraw, with who may and what is allowed; every change an event;
- `places`: a device's alert places (stored coarse) and its SMS and email choices;
- `reach`: which devices an alert reaches, and the pull of the alerts that reach a device;
- `views`: an alert as a phone, the staff API and the console see it;
- `delivery`: the SMS and email outbox, each recipient at most once per alert.
"""
