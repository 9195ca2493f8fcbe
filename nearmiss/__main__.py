"""Allow ``python -m nearmiss`` where the console script is not on PATH."""

from nearmiss.cli import main

main()
