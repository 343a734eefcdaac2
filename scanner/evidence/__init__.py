"""Evidence bundles an auditor can verify later."""
