"""``python -m smokejumper`` runs the command line."""

from smokejumper.cli.app import main

main()
