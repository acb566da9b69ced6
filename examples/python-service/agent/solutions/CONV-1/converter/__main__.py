import sys

from . import celsius_to_fahrenheit


def main() -> int:
    try:
        print(celsius_to_fahrenheit(float(sys.argv[1])))
    except (IndexError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


sys.exit(main())
