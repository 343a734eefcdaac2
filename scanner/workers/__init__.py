"""Past one machine: Celery workers that scan one target per task into the posture store.

``crmscan worker`` runs a worker, ``crmscan enqueue --config targets.yaml`` queues a fleet
scan, ``crmscan schedule --config targets.yaml`` runs Celery beat from the targets' cron
schedules. docs/operations.md describes the deployment.
"""
