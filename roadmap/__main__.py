from roadmap.cli.app import main

main()
