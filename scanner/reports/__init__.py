"""The auditor's report: a framework's requirements judged against one scan.

``crmscan report RESULT --framework NAME --format html,csv,md`` builds an `AuditReport`
(`scanner.reports.framework_report`) from a result document and renders it with one of
`AUDIT_FORMATS`. docs/auditor-report.md explains its columns and status rules.
"""
