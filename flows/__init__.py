"""Prefect flows: thin entry points that call roadmap.workflow and roadmap.services.

Stage flows, the deadline sweep and the yearly review live here; each is a few lines of
orchestration around service functions, batched (never one Prefect task per row).
Nothing in roadmap/ imports this package.
"""
