"""`python -m dolisync` is the `dolisync` command."""

from dolisync.cli import main

main()
