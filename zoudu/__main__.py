from zoudu.cli import main

main()
