"""The web portal (`roadmap web`): emissaries, responsible officials and coordinators in a
browser, signed in by a personal link; server-rendered pages and a JSON API under /api."""
