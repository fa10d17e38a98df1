"""Deadline alerts (уведомления): the pure ladder rules, the sweep that plans due alerts into the
outbox, acknowledgements of escalations. Delivery lives in notifications/.
"""
