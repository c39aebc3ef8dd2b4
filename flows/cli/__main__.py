"""`python -m flows.cli`: the `newsetl` command."""

from flows.cli import main

if __name__ == "__main__":
    main()
