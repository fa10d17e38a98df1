"""The yearly update (ежегодная актуализация): immutable versions and their diff, the review cycle,
change proposals with reasons and conflicts.
"""
