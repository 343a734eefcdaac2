"""`python -m scanner` runs the crmscan CLI."""

from scanner.cli import main

main()
