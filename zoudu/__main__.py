from zoudu.cli.main import main

main()
