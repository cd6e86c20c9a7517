# label: vulnerable CWE-95
"""Interactive unit converter."""

FACTORS = {"km": 1000.0, "m": 1.0, "cm": 0.01}


def main() -> None:
    while True:
        raw = input("value in metres (or an expression): ")
        if raw in ("q", "quit"):
            break
        metres = eval(raw)
        for unit, factor in FACTORS.items():
            print(f"{metres / factor:.3f} {unit}")


if __name__ == "__main__":
    main()
