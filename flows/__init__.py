"""Prefect flows: thin entry points that call the areas (roadmap.stages, roadmap.review,
notifications for the deadline job).

Stage flows, the deadline sweep and the yearly review live here; each is a few lines of
orchestration around service functions, batched (never one Prefect task per row).
Nothing in roadmap/ imports this package.
"""
