"""Notifications: tell a webhook about new failures and targets that could not be scanned."""

from scanner.notify.webhook import (
    Event,
    Notifier,
    SendResult,
    events_for,
    json_payload,
    slack_payload,
)

__all__ = ["Event", "Notifier", "SendResult", "events_for", "json_payload", "slack_payload"]
