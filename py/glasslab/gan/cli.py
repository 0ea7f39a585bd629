"""`python -m glasslab gan ...` (placeholder until the gan engine lands)."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("gan", help="gan commands")
    parser.set_defaults(func=lambda args: parser.print_help())
