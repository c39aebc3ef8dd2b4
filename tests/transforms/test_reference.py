import polars as pl
import pytest

from expectations.runner import validate_table
from transforms import reference
from transforms.entities import cluster_entities


@pytest.mark.slow  # Great Expectations (4-8 s to import)
def test_seed_table_passes_its_suite():
    frame = pl.read_csv(reference.COMPANIES_PATH, infer_schema=False).with_columns(
        pl.lit("ent_0123456789abcdef").alias("entity_id")
    )
    res = validate_table("companies", frame)
    assert not res.failed, res.failed
    assert frame.height >= 500


@pytest.mark.parametrize(
    ("text", "ticker"),
    [
        ("Amazon", "AMZN"),
        ("Amazon.com", "AMZN"),
        ("Amazon.com Inc", "AMZN"),
        ("Microsoft Corp.", "MSFT"),
        ("International Business Machines", "IBM"),
        ("Google", "GOOGL"),
        ("Delta Air Lines", "DAL"),
    ],
)
def test_lookup_by_name_and_alias(text, ticker):
    assert reference.by_name(text).ticker == ticker


def test_lookup_by_ticker():
    c = reference.by_ticker("amzn")
    assert (c.name, c.exchange, c.sector) == ("Amazon", "NASDAQ", "Consumer Discretionary")


def _linked(nlp, text):
    return {c.name: c for c in cluster_entities(nlp(text)) if c.company is not None}


def test_spellings_and_ticker_are_one_entity_across_articles(nlp):
    a = _linked(nlp, "Amazon said on Monday it would hire 1,000 people.")
    b = _linked(nlp, "Amazon.com Inc (NASDAQ:AMZN) reported higher sales.")
    assert a["Amazon"].entity_id == b["Amazon"].entity_id
    assert a["Amazon"].ticker == "AMZN" and a["Amazon"].sector == "Consumer Discretionary"


def test_unlisted_company_keeps_name_key(nlp):
    (c,) = [
        c
        for c in cluster_entities(nlp("Orvane Robotics Inc said it had agreed to buy a rival."))
        if c.label == "ORG"
    ]
    assert c.company is None and c.ticker is None


@pytest.mark.parametrize(
    ("text", "name", "ticker", "exchange"),
    [
        ("Vodafone Group (LSE:VOD) cut its dividend.", "Vodafone Group", "VOD", "LSE"),
        ("Shares of Microsoft, Nasdaq: MSFT, rose.", "Microsoft", "MSFT", "NASDAQ"),
        ("IBM (NYSE: IBM) said it would exit the business.", "IBM", "IBM", "NYSE"),
    ],
)
def test_ticker_forms(nlp, text, name, ticker, exchange):
    clusters = {c.name: c for c in cluster_entities(nlp(text))}
    assert (clusters[name].ticker, clusters[name].exchange) == (ticker, exchange)
    assert not any(n in clusters for n in ("NASDAQ", "Nasdaq", "NYSE", "LSE", ticker) if n != name)


def test_reuters_angle_bracket_ticker_in_title(nlp):
    from transforms.clean import clean_article

    c = clean_article(
        "ALTEX <AII> SETS ACQUISITION",
        "Altex Industries Inc said it agreed to buy 80 pct of Integrated Management Data Systems Inc.",
    )
    assert c.tickers == ("AII",)
    clusters = {cl.name: cl for cl in cluster_entities(nlp(c.parse_text), c.tickers)}
    assert clusters["Altex Industries Inc"].ticker == "AII"


@pytest.mark.parametrize(
    ("title", "text", "name", "linked"),
    [
        # a symbol changes hands over the years: 1987's Chrysler <C> is not today's Citigroup
        (
            "CHRYSLER <C> TO BUY AMC",
            "Chrysler Corp said it would buy American Motors Corp.",
            "Chrysler",
            None,
        ),
        (
            "IRVING BANK <V> PROFIT UP",
            "Irving Bank Corp said its profit rose 10 pct.",
            "Irving Bank Corp",
            None,
        ),
        # ... but a company named as the table names it, or a former name, is linked by it
        ("IBM <IBM> SALES RISE", "International Business Machines Corp said sales rose.", "IBM", "IBM"),
        (
            "ATT <T> CUTS RATES",
            "American Telephone and Telegraph Co said it would cut rates.",
            "AT&T",
            "AT&T",
        ),
    ],
)
def test_a_ticker_links_only_a_company_of_that_name(nlp, title, text, name, linked):
    from transforms.clean import clean_article

    c = clean_article(title, text)
    clusters = {cl.name: cl for cl in cluster_entities(nlp(c.parse_text), c.tickers)}
    assert name in clusters, sorted(clusters)
    company = clusters[name].company
    assert (company.name if company is not None else None) == linked
