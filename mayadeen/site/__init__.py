"""Every rule of english.almayadeen.net in one place: URLs, page kinds, names and selectors.

What is confirmed about the live site and what is guessed is listed in ../shared/site/README.md.
The machine-readable sources (tawsiyat JSON, JSON-LD, meta tags) are confirmed or likely; the DOM
selectors are guesses kept as the last fallback, each a tuple tried in order. When a first live run
shows a shift in the ``mayadeen/field/<field>/<source>`` stats, this package is what to correct.

The rules are grouped in submodules (``urls``, ``article``, ``discovery``, ``access``) and all of
them are importable from here: code reads ``site.NAME`` and never cares which submodule holds it.
"""

from mayadeen.site.access import *
from mayadeen.site.article import *
from mayadeen.site.canary import *
from mayadeen.site.discovery import *
from mayadeen.site.urls import *
from mayadeen.site.validation import *
