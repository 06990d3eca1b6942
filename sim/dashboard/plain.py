"""Each mechanism in a student's words: what it is in the real world, and the report's example.

The mechanism modules' docstrings are written for people who change the model; these texts are
for people who use it. Section marks (§) and case ids (A13) are those of the source report.
"""

from __future__ import annotations

# The patterns the model must reproduce (docs/odd.md §1.2), spelled out.
PATTERNS = {
    "P1": "an anchor's exit collapses the cluster around it",
    "P2": "a gap between funded projects loses engagement that is slow to rebuild",
    "P3": "start-ups struggle to land a first deal; trust grows with a track record",
    "P4": "anchor firms join reluctantly, as the income is small beside the risk",
    "P5": "growth snowballs: the first exchange leads to more",
    "P6": "permits gate new receivers: some are denied, some delayed",
    "P7": "scarce water and permit limits trigger symbiosis",
    "P8": "facilitators matter, and they live on public project money",
    "P9": "location matters: heat, oxygen and water travel only short distances",
    "P10": "money for small firms only cannot reach the anchor a symbiosis needs",
    "P11": "neighbours of a visible symbiosis follow its example",
    "P12": "heat deliveries into district heating last for decades",
}

# name → (title, what it is in the real world, the report's example)
PLAIN: dict[str, tuple[str, str, str]] = {
    "lock_in": (
        "Streams that will disappear",
        "Some residual streams come from processes that will be closed, such as fossil feedstock. A deal built on such a "
        "stream ends when the stream does; firms that look ahead avoid deals on streams about to end.",
        "Stenungsund's chemical industry (A1) plans to leave fossil feedstock; the report warns that firms often do not look that far ahead (§5).",
    ),
    "project_funding": (
        "Public project money for facilitators",
        "A facilitator (a person or a small team who brings firms together) is usually paid by a project with public money "
        "for a few years. The partners are asked to pay the rest. When a project ends, the next one may start only after a gap.",
        "Almost every Swedish initiative has needed public project money (§3.3); Bjuv was run on municipal, Region Skåne and Tillväxtverket money (A13).",
    ),
    "engagement": (
        "How engaged the facilitator and members are",
        "While a facilitator is funded, engagement grows; in a gap without money it fades and members drift away, and "
        "building it up again takes longer than keeping it.",
        "Sävsjö (A20) and the report's advice to keep partners in the network between projects (§3.3).",
    ),
    "firm_exit": (
        "Firms that close or move away",
        "Firms leave now and then: young small firms more often, big plants rarely. When a firm leaves, its exchanges end, "
        "and firms that depended on its stream may have to close too.",
        "Findus closed its Bjuv factory in 2017 and the food cluster around it fell apart (A13).",
    ),
    "entry": (
        "Start-ups that come for a residual stream",
        "Some companies are founded to use another firm's waste: heat for a greenhouse, CO2 or oxygen for a fuel plant. "
        "They need free industrial land next to the source and their own plant must pay off.",
        "Wa3rm, Agtira and Liquid Wind settle next to unused heat, CO2 or oxygen (§2.5.5, §4); Ash2Salt's plant cost 600-700 MSEK (A15).",
    ),
    "births": (
        "New ordinary firms",
        "Every year new small firms start up in each town, in the trades the town already has. They must find partners like any other firm.",
        "Sweden sees about 70,000 new firms a year (Tillväxtanalys).",
    ),
    "platform": (
        "A public register of residual streams",
        "A town can make what its firms report about their wastes and needs searchable, so that a firm looking for "
        "a partner finds one without a facilitator. Firms look it up now and then, and only some of what is listed is "
        "detailed enough to act on.",
        "Helsingborg looked into making the larger firms' mandatory environmental reports searchable (A29).",
    ),
    "eed_mandate": (
        "The EU rule on residual heat",
        "The EU Energy Efficiency Directive makes a new large installation (over 8 MW of energy input) or a data centre "
        "study how its waste heat could be used nearby. In the model this puts its heat in front of every heat user within reach.",
        "EU directive 2023/1791, described in the report's §4.4.",
    ),
    "matching": (
        "Finding a partner",
        "Firms rarely look for partners outside their trade: they work on their own efficiency first. They search more "
        "often where a facilitator is active or water is scarce, and nearby partners are found first.",
        "Few exchanges form although many residual streams exist (§2.5.4, Västra Mälardalen A7).",
    ),
    "acquaintance": (
        "Who already knows whom",
        "Neighbours on one site, firms of one owner, town or trade, and earlier partners know each other before any deal; "
        "such firms can start a deal by themselves, strangers need someone to introduce them.",
        "Köping (A7, 1982) and Helsingborg (A11, 1974) began as deals between neighbours (§2.5.5).",
    ),
    "trust": (
        "Trust between partners",
        "Trust starts from whom the firms know and grows with every month of deliveries and every meeting a facilitator "
        "arranges; a failed deal costs trust. A start-up without a track record starts low, so its first deal is the hardest.",
        "High Coast (A2) and the report's §3.4.2 on start-ups meeting established firms.",
    ),
    "benefit": (
        "Both sides must gain",
        "An exchange happens only if both the giver and the receiver gain, and the investment it needs (a pipe, a heat "
        "pump, staff time) must pay back quickly enough: industry wants its money back in two to three years.",
        "Fraccascia et al. (2017) on two-sided benefit; Sandberg and Söderström (2003) on payback times.",
    ),
    "internal_supply": (
        "Doing it yourself instead",
        "A firm can often cover part of a need itself (reuse its own water, recover its own heat) and compares a "
        "symbiosis with that option, which it controls better.",
        "In Visby and Vimmerby, under water scarcity, firms preferred their own water reuse to a water symbiosis (A28, §2.3.1).",
    ),
    "anchor_revenue": (
        "Why big firms hesitate",
        "For a large anchor firm, the money from selling a residual stream is tiny beside its turnover; the legal review "
        "and the promise to deliver carry costs and risk. A good name and easier recruiting can tip the balance.",
        "The report's §3.2 on anchor companies.",
    ),
    "scarcity": (
        "Scarce water",
        "Where fresh water is limited by nature or by permits, buying new water costs more, so firms look for technical "
        "water from a neighbour or shared treatment.",
        "Lake Hällungen in Stenungsund (A1), Sotenäs' water permits (A4) and Kalundborg (§3.1).",
    ),
    "snowball": (
        "One deal leads to the next",
        "Once two firms work together they learn each other's processes, find further streams to trade and introduce "
        "each other to their own contacts, so growth speeds up.",
        "Sotenäs (A4) and Händelö (A3) grew this way (§2.5.5).",
    ),
    "lifecycle": (
        "From first talks to a running exchange",
        "A deal goes through talks, a permit, raising money and building before anything flows; a running exchange is "
        "renewed when its contract ends if both still gain, and is seldom disrupted.",
        "Heat from Kemira to Öresundskraft has flowed since 1974 and Köping's since 1982 (A11, A7).",
    ),
    "negotiation": (
        "Agreeing on the terms",
        "Negotiating a contract takes months, longer between firms that do not know each other, and may fail. A deal a "
        "facilitator brokered stalls if the facilitator loses engagement meanwhile.",
        "Händelö (A3) and the report's advice to build up in one go (§3.4.2).",
    ),
    "permits": (
        "Permits",
        "A new use of a stream often needs a permit: from the municipality, the county board (class B) or the land and "
        "environment court (class A). Most take about the usual time, some take years, some are denied.",
        "A shrimp farm in Frövi was denied (A5); reusing the same discharge point is easier (Sotenäs A4).",
    ),
    "financing": (
        "Raising the money",
        "Each firm pays its own part. A big firm decides at once; a start-up must raise money for each step and can fail "
        "at any of them. A public guarantee lowers the lender's risk.",
        "The report's §3.2 and §3.4.2 on start-ups' uncertain timelines.",
    ),
    "investment_support": (
        "Grants for the investment",
        "Public programmes pay part of what firms build if it cuts emissions enough, so the firms have less money to raise.",
        "Klimatklivet, Industriklivet and the EU Innovation Fund (§2.5.3, §5).",
    ),
    "feed": (
        "Chains of streams",
        "Some streams are made from another: a biogas plant makes biogas from the food waste it is sent. If the first "
        "stream stops, the second shrinks and deals on it end, so a collapse travels along the chain.",
        "In Bjuv the treatment and biogas plants were fed by Findus's process water and waste (A13); Sotenäs (A4).",
    ),
    "land_planning": (
        "Land beside the hub",
        "Start-ups need free industrial land next to the firm whose stream they use. If nothing happens there for a long "
        "time and homes are needed, the town may re-plan the land for housing, which ends new establishments for good.",
        "Bjuv re-planned land beside Findus's site (A13); Umeå, Finnslätten and Sävsjö reserved land instead (§2.5.1).",
    ),
    "diffusion": (
        "Others follow a good example",
        "A symbiosis that is visible inspires other towns to start their own: neighbours meet in regional networks, and "
        "others come on study visits.",
        "Sotenäs started after a study visit to Kalundborg, some 300 km away (A4, §2.4.2).",
    ),
}
