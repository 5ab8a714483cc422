"""A small English ↔ Indonesian lexicon of news and finance words, as synonym groups.

Each group lists words (both languages, some inflections) that count as the same concept when
matching a question or an answer sentence against passages. Multi-word phrases are written with
underscores; the tokenizer in :mod:`app.textmatch` joins them the same way.
"""

from __future__ import annotations

from functools import lru_cache

_GROUPS: tuple[str, ...] = (
    # money and results
    "loss losses lose losing kerugian rugi merugi",
    "revenue revenues income sales pendapatan penghasilan omzet",
    "profit profits profitable profitability keuntungan untung laba profitabilitas",
    "break_even breakeven titik_impas impas balik_modal",
    "operating operational operasional",
    "cost costs biaya ongkos",
    "spending spend spends spent expenditure expenditures expenses pengeluaran belanja "
    "membelanjakan menghabiskan burn burning",
    "capex capital_expenditure belanja_modal",
    "money cash uang dana",
    "fund funds funding pendanaan dana",
    "capital modal",
    "dollar dollars usd dolar",
    "value worth nilai senilai bernilai",
    "valuation valuations valued valuasi penilaian",
    "price prices harga",
    "bill bills tagihan",
    "debt utang hutang",
    "loan loans pinjaman kredit",
    "guarantee guarantees guaranteed jaminan menjamin",
    "backstop penghalang penjaminan",
    "bailout bailouts dana_talangan talangan",
    "bubble bubbles gelembung",
    "investor investors penanam_modal",
    "investment investments invest invested investing investasi berinvestasi",
    "stake stakes share shares stock stocks saham",
    "stock_market pasar_saham bursa",
    "market markets pasar",
    "billion billions miliar milyar miliaran",
    "trillion trillions triliun triliunan",
    "million millions juta jutaan",
    "thousand thousands ribu ribuan",
    "hundred hundreds ratus ratusan",
    "percent percentage persen persentase",
    "half setengah separuh",
    "three_quarters tiga_perempat",
    "total total jumlah",
    "commitment commitments committed komitmen",
    # deals and companies
    "deal deals agreement agreements kesepakatan perjanjian kontrak contract contracts",
    "partnership partnerships partner partners kemitraan mitra",
    "customer customers client clients pelanggan klien",
    "consumer consumers konsumen",
    "enterprise enterprises corporate corporation korporat korporasi perusahaan",
    "business businesses venture ventures bisnis usaha lini_usaha",
    "avoid avoids avoiding avoided stay_away stays_away stayed_away staying_away steer_clear "
    "menghindari hindari menjauhi dihindari",
    "employee employees staff workers worker workforce karyawan pegawai staf pekerja",
    "founded found founder founders founding didirikan mendirikan pendiri",
    "ceo chief_executive chief_executive_officer direktur_utama pemimpin_eksekutif "
    "kepala_eksekutif",
    "cto chief_technology_officer direktur_teknologi",
    "cfo chief_financial_officer direktur_keuangan",
    "president presiden",
    "leader leaders leadership lead leads led leading pemimpin kepemimpinan memimpin dipimpin",
    "own owns owned ownership kepemilikan",
    "latest newest terbaru",
    "gpu gpus",
    "team tim",
    "researcher researchers peneliti",
    "former mantan",
    "maker makers creator pembuat",
    "competitor competitors rival rivals pesaing saingan",
    "lab labs laboratory laboratories laboratorium",
    "giant giants raksasa",
    "industry industries industri",
    "sector sectors sektor",
    "project projects proyek",
    "say says said state stated statement menyatakan mengatakan pernyataan",
    "network jaringan",
    # technology
    "ai artificial_intelligence kecerdasan_buatan",
    "compute computing computation komputasi",
    "computing_power daya_komputasi",
    "power energy daya energi listrik electricity electric",
    "battery batteries baterai",
    "car cars vehicle vehicles automobile mobil kendaraan",
    "plant plants factory factories pabrik",
    "joint_venture joint_ventures patungan usaha_patungan",
    "mine mines mining tambang pertambangan penambangan",
    "production produce produces produced producing output produksi memproduksi diproduksi",
    "producer producers manufacturer manufacturers produsen pabrikan",
    "export exports exported exporting ekspor mengekspor diekspor",
    "import imports imported importing impor mengimpor diimpor",
    "tax taxes pajak",
    "fine fines fined denda didenda",
    "ban bans banned banning larangan melarang dilarang terlarang",
    "require requires required requirement requirements mandatory mewajibkan diwajibkan wajib "
    "mensyaratkan",
    "passport passports paspor",
    "explosion explosions blast ledakan",
    "kill kills killed killing died dead menewaskan tewas meninggal",
    "infrastructure infrastruktur",
    "data_center data_centers pusat_data",
    "chip chips cip",
    "hardware perangkat_keras",
    "device devices perangkat",
    "video videos video",
    "generation pembuatan generasi",
    "e_commerce ecommerce e_niaga",
    "fiber fibre fiber_optic serat_optik",
    "cable cables kabel",
    "mile miles mil",
    "railroad railroads railway railways kereta_api",
    "telecom telecommunications telekomunikasi",
    "system systems sistem",
    # plans, forecasts, strategy
    "expected expect expects expectation projected projection projections project_to forecast "
    "forecasts predicted estimate estimated estimates diperkirakan memperkirakan perkiraan "
    "proyeksi memproyeksikan diproyeksikan",
    "target targets targeting aim aims menargetkan sasaran",
    "reach reaches reached achieve achieved achieves mencapai tercapai dicapai capai",
    "plan plans planned planning rencana merencanakan direncanakan",
    "strategy strategies strategic strategi strategis",
    "focus focused focuses fokus berfokus",
    "growth grow grows growing pertumbuhan tumbuh",
    "diversify diversifying diversification broaden broadening mendiversifikasi diversifikasi "
    "memperluas",
    "risk risks risky risiko berisiko",
    "cautious careful caution hati_hati kehati_hatian",
    "aggressive aggression agresi agresif",
    "traditional tradisional",
    "approach approaches pendekatan",
    "path route roadmap jalur peta_jalan",
    "philosophy filosofi",
    "advantage advantages keunggulan",
    "win winning menang memenangkan",
    "race perlombaan",
    "arms_race perlombaan_senjata",
    "dilemma dilema",
    "prisoner prisoners tahanan",
    "viable feasible layak",
    "sustainable berkelanjutan",
    "unsustainable tidak_berkelanjutan",
    # events and reporting
    "fear fears afraid worry worries worried concern concerns concerned anxiety anxious "
    "jitters ketakutan takut khawatir kekhawatiran cemas kecemasan kegelisahan",
    "crash collapse collapsed bust busts keruntuhan kehancuran runtuh ambruk ambruknya",
    "analyst analysts observer observers watcher watchers market_watchers pengamat analis",
    "occur occurs occurred take_place took_place takes_place terjadi berlangsung",
    "fall fell falls falling drop dropped decline declined plunge plunged slump slumped slid slide "
    "slides tumble tumbled sank lower turun merosot jatuh anjlok melemah",
    "rise rose surge surged soar soared jump jumped naik melonjak",
    "sell_off selloff aksi_jual",
    "sell sells selling sold sale menjual dijual jual penjualan",
    "buy buys buying bought membeli beli",
    "volatility volatilitas",
    "letter letters surat",
    "leaked leak bocor",
    "request requested requests asked ask meminta diminta minta",
    "czar tsar raja",
    "acknowledge acknowledged acknowledges admit admitted admits mengakui diakui akui",
    "trade_war trade_wars perang_dagang",
    "war wars perang",
    "impact impacts effect effects dampak pengaruh",
    "deny denied denies membantah dibantah menyangkal disangkal bantah",
    "reject rejected rejection penolakan menolak ditolak",
    "help aid assistance bantuan",
    "government pemerintah",
    "federal federal",
    "us usa united_states amerika_serikat amerika as",
    "frontier perbatasan",
    "japan japanese jepang",
    "europe european eropa",
    "politics political politik",
    "credibility kredibilitas",
    "pressure tekanan",
    "controversy kontroversi",
    "post posted posting memposting",
    "announce announced announcement mengumumkan diumumkan pengumuman",
    "document documents dokumen",
    "newspaper newspapers outlet media koran surat_kabar publication journal",
    "user users pengguna",
    "subscriber subscribers pelanggan",
    "sign signed signing menandatangani ditandatangani",
    "headquarters headquartered kantor_pusat markas",
    "salary salaries gaji",
    "product products produk",
    "ipo go_public initial_public_offering penawaran_umum_perdana",
    "financial finance keuangan finansial",
    "unused idle never_used not_used tidak_terpakai tidak_digunakan tidak_dipakai "
    "tidak_pernah_dipakai tidak_pernah_digunakan",
    "century abad",
    # time
    "year years annual tahun tahunan",
    "month months bulan",
    "week weeks minggu pekan",
    "day days hari",
    "when kapan",
    "january januari",
    "february februari",
    "march maret",
    "may mei",
    "june juni",
    "july juli",
    "august agustus",
    "october oktober",
    "december desember",
    "april",
    "september",
    "november",
    # small number words
    "one single satu",
    "two dua",
    "three tiga",
    "four empat",
    "five lima",
    "six enam",
    "ten sepuluh",
)


# Names of places and institutions across the two languages: they stay names (an entity the
# answer must be about), unlike concept words such as "AI" or "CEO".
_NAME_GROUPS: tuple[str, ...] = (
    "white_house gedung_putih",
    "eu european_union uni_eropa",
    "china tiongkok cina",
)

_RISK_TAKING = tuple("cautious careful hati_hati aggressive agresif bold bolder berani".split())

# One-way expansions: asking "who leads X" may be answered by a sentence naming X's CEO.
_DIRECTED: dict[str, tuple[str, ...]] = {
    "lead": ("ceo", "pemimpin"),
    "leads": ("ceo", "pemimpin"),
    "led": ("ceo", "pemimpin"),
    "runs": ("ceo",),
    "head": ("ceo", "kepala"),
    "heads": ("ceo", "kepala"),
    "memimpin": ("ceo", "pemimpin"),
    "dipimpin": ("ceo", "pemimpin"),
    "bos": ("ceo",),
    "boss": ("ceo",),
    # Reaching profitability and breaking even answer each other.
    "profitability": ("break_even", "titik_impas", "impas"),
    "profitabilitas": ("break_even", "titik_impas", "impas"),
    "profitable": ("break_even", "titik_impas", "impas"),
    "break_even": ("profitability", "profitabilitas"),
    "titik_impas": ("profitability", "profitabilitas"),
    "impas": ("profitability", "profitabilitas"),
    # A share of a market is a portion of it.
    "share": ("pangsa", "porsi", "bagian"),
    # A sell-off is selling; a question on risk-taking is answered by caution or aggression.
    "sell_off": ("selling", "sell", "penjualan", "jual"),
    "selloff": ("selling", "sell", "penjualan", "jual"),
    "aksi_jual": ("selling", "sell", "penjualan", "jual"),
    "risk": _RISK_TAKING,
    "risiko": _RISK_TAKING,
}


def _words(group: str) -> list[str]:
    return [w.replace("-", "_") for w in group.split()]


@lru_cache(maxsize=1)
def group_index() -> dict[str, frozenset[str]]:
    """Each lexicon word mapped to the union of the groups it belongs to."""
    index: dict[str, set[str]] = {}
    for group in (*_GROUPS, *_NAME_GROUPS):
        words = _words(group)
        for word in words:
            index.setdefault(word, set()).update(words)
    for word, targets in _DIRECTED.items():
        index.setdefault(word, {word}).update(targets)
    return {word: frozenset(members) for word, members in index.items()}


@lru_cache(maxsize=1)
def phrases() -> dict[tuple[str, ...], str]:
    """Multi-word lexicon entries, keyed by their word tuple, valued by the joined token."""
    out: dict[tuple[str, ...], str] = {}
    for word in group_index():
        if "_" in word:
            out[tuple(word.split("_"))] = word
    return out


@lru_cache(maxsize=1)
def _name_words() -> frozenset[str]:
    return frozenset(w for group in _NAME_GROUPS for w in _words(group))


def is_name_word(word: str) -> bool:
    """Whether ``word`` names a place or institution ("gedung_putih", "eu"), not a concept."""
    return word in _name_words()


def synonyms(word: str) -> frozenset[str]:
    """The lexicon words equivalent to ``word`` (empty when it is not in the lexicon)."""
    return group_index().get(word, frozenset())
