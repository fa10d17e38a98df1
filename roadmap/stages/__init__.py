"""The roadmap's stages (этапы): definitions from config/stages.toml, stage runs and their gates,
and the logic of the stages that have some: proposals, interviews, analysis, architecture review.
"""
