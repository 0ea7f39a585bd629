"""`python -m glasslab cnn ...` (placeholder until the cnn engine lands)."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("cnn", help="cnn commands")
    parser.set_defaults(func=lambda args: parser.print_help())
