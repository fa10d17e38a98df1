"""Alert delivery: message templates, the outbox dispatcher and the Apprise sender.

Sits above the areas: roadmap.alerts plans alerts into outbox rows; this package turns
them into messages and delivers them.
"""
