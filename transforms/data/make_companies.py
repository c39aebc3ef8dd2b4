"""Build transforms/data/companies.csv, the company reference table, from the public-domain
S&P 500 constituents list (../shared/reference/sp500_constituents.csv, ODC PDDL 1.0).

Adds: `exchange` where known (listing venue of well-known constituents, below), a short
display `name` (corporate suffixes and share-class notes dropped) and `aliases` (the
security's full name, common short names and former names). The suffixes a short name
drops are patterns/names.json's corporate suffixes and group words. Run from the project root:

    python -m transforms.data.make_companies ../shared/reference/sp500_constituents.csv
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from transforms.lexicons import ordered_words
from transforms.names import _SUFFIX_RE

OUT = Path(__file__).with_name("companies.csv")

NASDAQ = set(
    """AAPL MSFT AMZN NVDA GOOGL GOOG META TSLA AVGO COST PEP ADBE CSCO NFLX AMD TMUS INTC CMCSA TXN QCOM
    AMGN HON INTU AMAT ISRG BKNG SBUX MDLZ GILD ADI ADP VRTX REGN LRCX MU PYPL PANW SNPS CDNS KLAC MAR
    ABNB ORLY CSX MNST CTAS FTNT CHTR PCAR KDP AEP ADSK NXPI PAYX ROST KHC MCHP CPRT ODFL DXCM IDXX EXC
    FAST CTSH EA VRSK XEL BIIB CSGP ON GEHC DLTR WBD TTWO FANG CDW MRNA ENPH DDOG CEG LULU AXON EBAY
    SWKS NTAP AKAM JKHY NDAQ HOLX POOL INCY TRMB ZBRA STX WDC TER FFIV LKQ HAS ULTA EXPE CINF PTC TROW
    FITB HBAN NTRS ALGN APP CRWD DASH PLTR SMCI TSCO VTRS WYNN LNT EVRG ERIE GEN MPWR PODD SBAC TECH
    UAL CZR DLR EQIX AMGN HST JBHT MTCH NWS NWSA FOXA FOX PARA REG SIRI""".split()
)
NYSE = set(
    """IBM JPM XOM WMT KO DIS GE F GM BA CAT JNJ PG V MA BAC WFC C GS MS T VZ HD MCD NKE ORCL CRM ABT
    ABBV PFE MRK LLY UNH CVX BRK.B HPQ HPE UBER MMM AXP BLK BX CVS DE DOW DUK EMR FDX GD HCA KMB LMT
    LOW MO NEE NOC OXY PM RTX SO SPGI TGT TMO UNP UPS USB WM ACN ANET BMY COP CL ECL ETN GIS HSY ICE
    KR MET MCK MMC PNC PGR SCHW SHW SLB SYY TJX TRV TT DAL LUV""".split()
)
ALIASES = {
    "GOOGL": ["Google", "Alphabet"],
    "GOOG": ["Google", "Alphabet"],
    "META": ["Facebook", "Meta"],
    "IBM": ["International Business Machines"],
    "AMZN": ["Amazon.com"],
    "JPM": ["JPMorgan", "JP Morgan", "J.P. Morgan"],
    "XOM": ["Exxon", "ExxonMobil"],
    "PG": ["P&G", "Procter and Gamble"],
    "JNJ": ["J&J", "Johnson and Johnson"],
    "BAC": ["BofA"],
    "WMT": ["Wal-Mart", "Wal-Mart Stores"],
    "DIS": ["Disney", "Walt Disney"],
    "KO": ["Coca-Cola", "Coke"],
    "GE": ["General Electric"],
    "HPE": ["HPE"],
    "HPQ": ["Hewlett-Packard", "HP"],
    "C": ["Citi", "Citibank"],
    "CSCO": ["Cisco Systems"],
    "TSLA": ["Tesla Motors"],
    "F": ["Ford", "Ford Motor"],
    "GM": ["GM"],
    "BRK.B": ["Berkshire"],
    "T": ["AT&T", "American Telephone and Telegraph", "ATT"],
    "NVDA": ["Nvidia"],
    "MSFT": ["Microsoft Corp"],
    "TXN": ["TI"],
    "DAL": ["Delta"],
    "UAL": ["United Airlines", "United", "UAL"],
    "AAL": ["American Airlines"],
    "LUV": ["Southwest"],
    "MO": ["Philip Morris"],
    "CVX": ["Chevron", "Texaco"],
    "WBA": ["Walgreens"],
    "PEP": ["PepsiCo", "Pepsi"],
    "INTC": ["Intel Corp"],
    "AMD": ["AMD"],
    "NFLX": ["Netflix"],
}
_GROUP = re.compile(
    r"(?:,?\s+(?:" + "|".join(re.escape(w) for w in ordered_words("names.json", "group_words")) + r")\.?)+$",
    re.I,
)


def short_name(security: str) -> str:
    """The name without class, leading "The", legal forms (cleanco's, transforms.names) and
    group words."""
    name = re.sub(r"\s*\(Class [A-Z]\)", "", security).strip()
    name = re.sub(r"^The\s+", "", name)
    short = name
    while True:
        shorter = _GROUP.sub("", _SUFFIX_RE.sub("", short)).strip()
        if shorter == short:
            break
        short = shorter
    return short or name


def main(src: str) -> None:
    with open(src, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ticker", "name", "exchange", "sector", "sub_industry", "headquarters", "aliases"])
        for r in rows:
            t = r["Symbol"].strip()
            full = re.sub(r"\s*\(Class [A-Z]\)", "", r["Security"]).strip()
            name = short_name(r["Security"])
            aliases = [a for a in dict.fromkeys([full, *ALIASES.get(t, [])]) if a != name]
            exchange = "NASDAQ" if t in NASDAQ else "NYSE" if t in NYSE else ""
            w.writerow(
                [
                    t,
                    name,
                    exchange,
                    r["GICS Sector"],
                    r["GICS Sub-Industry"],
                    r["Headquarters Location"],
                    "|".join(aliases),
                ]
            )
    print(f"wrote {len(rows)} companies to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/sp500_constituents.csv")
