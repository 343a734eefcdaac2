"""The engine: select checks, evaluate them over an inventory, produce findings."""
