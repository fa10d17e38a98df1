"""Alert delivery: message templates, the outbox dispatcher and the Apprise sender.

Sits below roadmap.services: services plan alerts into outbox rows; this package turns
them into messages and delivers them.
"""
