"""Importers of research data into ties and worlds: COW alliances, ATOP, SIPRI arms, COW NMC.

Each importer reads a file for a chosen year or range into ties (``read_*``) or a whole
:class:`~sim.world.World` (``world_from_*``), mapping country names and codes through the
shipped country-code table (:func:`country_codes`). Pass an :class:`ImportReport` to see what
was skipped or guessed; without one, a :class:`DataImportWarning` summarises it.
"""

from sim.io._common import (
    OBLIGATIONS,
    DataImportWarning,
    ImportReport,
    YearRange,
    alliance_file,
    year_range,
)
from sim.io.atop import read_atop, world_from_atop
from sim.io.codes import CountryCode, CountryCodes, country_codes, fold_name
from sim.io.cow import read_cow, world_from_cow
from sim.io.nmc import Capabilities, read_nmc
from sim.io.sipri import (
    KNOWN_NON_STATE,
    SipriDeal,
    SipriParty,
    read_sipri,
    read_sipri_records,
    sipri_party,
    sipri_to_ties,
    world_from_sipri,
)

__all__ = [
    "KNOWN_NON_STATE",
    "OBLIGATIONS",
    "Capabilities",
    "CountryCode",
    "CountryCodes",
    "DataImportWarning",
    "ImportReport",
    "SipriDeal",
    "SipriParty",
    "YearRange",
    "alliance_file",
    "country_codes",
    "fold_name",
    "read_atop",
    "read_cow",
    "read_nmc",
    "read_sipri",
    "read_sipri_records",
    "sipri_party",
    "sipri_to_ties",
    "world_from_atop",
    "world_from_cow",
    "world_from_sipri",
    "year_range",
]
