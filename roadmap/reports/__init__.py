"""Reports the project office decides from: budget, indicators, rating, services, sessions,
progress, and each person's calendar of due dates. A report module computes a
roadmap.reports.table.Report; roadmap.reports.output writes it in any format."""
