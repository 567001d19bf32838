"""Properties of the processors, checked on generated input (hypothesis); the examples are in
the processors' doctests."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import example, given
from hypothesis import strategies as st

from mayadeen.pages.dates import BEIRUT, beirut_wall_time, parse_datetime
from mayadeen.pages.processors import clean_text, collapse_whitespace, unique
from mayadeen.site.urls import canonical_url, normalize_path

ROOT = "https://english.almayadeen.net"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
wall_times = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)
# Paths as the site spells them: slug characters plus what links add (escapes, colons, case).
slugs = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-:_.~'()", min_size=1, max_size=70)


@given(instants, offsets)
def test_a_stated_offset_is_kept_and_so_is_the_instant(instant: datetime, zone: timezone) -> None:
    stated = instant.astimezone(zone)
    parsed = parse_datetime(stated.isoformat())
    assert parsed == stated.isoformat()
    assert datetime.fromisoformat(parsed) == instant


@given(instants)
def test_a_beirut_time_written_by_us_reads_back_as_the_same_instant(instant: datetime) -> None:
    written = parse_datetime(instant.astimezone(BEIRUT).isoformat())
    assert written is not None
    assert parse_datetime(written) == written
    assert datetime.fromisoformat(written) == instant


@given(wall_times)
@example(datetime(2024, 3, 31, 0, 30))  # spring gap
@example(datetime(2023, 10, 28, 23, 30))  # autumn fold
def test_every_wall_time_form_gives_one_instant_with_beirut_offset(wall: datetime) -> None:
    visible = f"{wall.day} {MONTHS[wall.month - 1]} {wall.year} {wall:%H:%M}"
    cms = f"{wall:%Y-%m-%dT%H:%M:%S}.0000000"
    results = {parse_datetime(visible), parse_datetime(cms), parse_datetime(wall.isoformat())}
    assert len(results) == 1
    (result,) = results
    assert result is not None
    moment = datetime.fromisoformat(result)
    assert moment.utcoffset() == moment.astimezone(BEIRUT).utcoffset(), "a real Beirut offset"
    shift = moment.replace(tzinfo=None) - wall
    if shift:  # only a non-existent (spring gap) wall time moves, by the hour the clocks skip
        assert shift == timedelta(hours=1)
        assert beirut_wall_time(wall).replace(tzinfo=None) != wall


@given(st.text(max_size=300))
def test_any_text_gives_a_date_or_none_and_never_raises(text: str) -> None:
    result = parse_datetime(text)
    assert result is None or datetime.fromisoformat(result).tzinfo is not None


@given(st.text())
def test_whitespace_normalisation_is_idempotent(text: str) -> None:
    once = collapse_whitespace(text)
    assert collapse_whitespace(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not any(c.isspace() and c != " " for c in once)


@given(st.text(alphabet=st.characters(exclude_characters="&")))
def test_clean_text_is_idempotent_on_text_without_entities(text: str) -> None:
    once = clean_text(text)
    assert once is None or clean_text(once) == once


@given(st.text(max_size=120))
def test_path_normalisation_is_idempotent(path: str) -> None:
    once = normalize_path("/" + path)
    assert normalize_path(once) == once
    assert not once.endswith("/")


@given(slugs, st.sampled_from(["news/politics", "news/economics", "articles/opinion"]))
def test_canonicalisation_collapses_the_spellings_of_one_article(slug: str, section: str) -> None:
    slug = slug.strip("/.") or "x"
    canonical = canonical_url(f"{ROOT}/{section}/{slug}", ROOT)
    assert canonical is not None
    spellings = [
        f"{ROOT}/{section}/{slug.replace(':', '%3A')}",
        f"{ROOT}/{section}/{slug.replace(':', '%3a')}/",
        f"HTTP://English.AlMayadeen.net/{section}/{slug}?utm_source=x&utm_medium=y",
        f"{ROOT}/{section}/{slug}#comments",
        f"/{section}/{slug}",
    ]
    assert {canonical_url(spelling, ROOT) for spelling in spellings} == {canonical}
    assert canonical_url(canonical, ROOT) == canonical


@given(st.text(max_size=200))
def test_canonicalisation_never_raises_and_is_idempotent(href: str) -> None:
    canonical = canonical_url(href, ROOT, f"{ROOT}/news/politics/x")
    assert canonical is None or canonical.startswith(ROOT)
    assert canonical is None or canonical_url(canonical, ROOT) == canonical


@given(st.lists(st.sampled_from(["Iraq", "iraq", "Syria", "Water"])))
def test_unique_keeps_first_seen_order_and_drops_only_exact_duplicates(values: list[str]) -> None:
    result = unique(values)
    assert len(result) == len(set(values))
    assert sorted(result, key=values.index) == result
