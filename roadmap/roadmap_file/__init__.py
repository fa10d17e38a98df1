"""The roadmap file, format 1 (docs/roadmap-file.md): schema, readers for YAML, XLSX and CSV,
validation with each problem's place, and writers.
"""
