"""The roadmap as data: import from and export to the roadmap file, coordinators' queries, tasks."""
