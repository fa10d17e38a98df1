import sys

from roadmap.cli.quick import run

# The most used lists start without Typer's parsing (roadmap/cli/quick.py); the rest as ever.
if not run(sys.argv[1:]):
    from roadmap.cli.app import main

    main()
