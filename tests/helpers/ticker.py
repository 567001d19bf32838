"""The loopback ticker's lines and the attribution each must be read with."""

from mayadeen.loopback.ticker import LINES

ATTRIBUTIONS = {
    LINES[0]: "Trump",
    LINES[1]: "US President Donald Trump",
    LINES[2]: "Local sources in Aleppo",
    LINES[3]: "Israeli media",
    LINES[4]: "IOF Spokesperson",
    LINES[5]: None,  # a dateline, not a source
    LINES[6]: None,  # no colon
    LINES[7]: "Al Mayadeen's correspondent",
    LINES[8]: "Palestinian Resistance factions in Gaza to Al Mayadeen",
    LINES[9]: "Senior Hamas source to Al Mayadeen",
}
