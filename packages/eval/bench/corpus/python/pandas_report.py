# label: clean
"""Monthly revenue report from an orders CSV."""
import sys

import pandas as pd


def monthly_revenue(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, parse_dates=["created_at"])
    df["month"] = df["created_at"].dt.to_period("M")
    return df.groupby("month", as_index=False)["total"].sum().rename(columns={"total": "revenue"})


if __name__ == "__main__":
    report = monthly_revenue(sys.argv[1])
    print(report.to_string(index=False))
