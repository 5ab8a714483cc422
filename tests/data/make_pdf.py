"""Write tests/data/artikel.pdf by hand: an Indonesian article with hard-wrapped lines.

Run ``python tests/data/make_pdf.py``. No dependencies: the PDF objects, Helvetica fonts
(WinAnsi, ASCII text only) and the cross-reference table are written directly. The text is
wrapped mid-sentence on purpose, with a hyphenated word break ("ekono-" / "mi"),
reduplications broken at their hyphen and a sentence that runs across the page break.
"""

from __future__ import annotations

from pathlib import Path

TITLE = "Laboratorium AI dan Tagihan Komputasi Awan"
PAGES: list[list[str]] = [
    [
        "# " + TITLE,
        "Laboratorium kecerdasan buatan kini menghabiskan lebih banyak dana untuk",
        "sewa pusat data daripada untuk gaji peneliti, terutama sejak kerja sama dengan",
        "Microsoft dan Google diperpanjang. Perubahan ini membuat kontrak komputasi",
        "awan menjadi dokumen yang paling diawasi oleh para investor.",
        "",
        "Para eksekutif menyebut kontrak itu sebagai taruhan atas pertumbuhan ekono-",
        "mi digital. Perusahaan yang memesan ribuan prosesor grafis selama satu",
        "dekade berharap permintaan model mereka tumbuh lebih cepat daripada turunnya",
        "harga cip.",
        "",
        "Pengembang kecil merasakan tekanan lebih dulu. Beberapa perusahaan-",
        "perusahaan rintisan menunda peluncuran produk karena kapasitas di wilayah",
        "pusat data yang populer sudah dipesan berbulan-bulan sebelumnya oleh",
    ],
    [
        "pesaing yang jauh lebih besar dan lebih kaya.",
        "",
        "Analis memperkirakan tekanan baru mereda ketika pembangkit listrik dan",
        "sistem pendingin baru mulai beroperasi, yang bisa memakan waktu bertahun-",
        "tahun.",
    ],
]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(lines: list[str]) -> bytes:
    ops = ["BT", "72 770 Td", "16 TL"]
    for line in lines:
        if line.startswith("# "):
            ops += ["/F2 16 Tf", f"({_escape(line[2:])}) Tj", "T*", "T*", "/F1 11 Tf"]
        elif line:
            ops += [f"({_escape(line)}) Tj", "T*"]
        else:
            ops.append("T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def build() -> bytes:
    """The whole PDF file."""
    first_page = 5
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(PAGES)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(PAGES)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(PAGES):
        stream = _content(lines)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            f"/Contents {first_page + 2 * i + 1} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    objects.append(f"<< /Title ({_escape(TITLE)}) /Producer (make_pdf.py) >>".encode())
    return assemble(objects, info=len(objects))


def assemble(objects: list[bytes], info: int | None = None) -> bytes:
    """A PDF file from its numbered objects (object 1 is the catalog), with a valid xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    info_ref = f" /Info {info} 0 R" if info else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info_ref} >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


if __name__ == "__main__":
    target = Path(__file__).with_name("artikel.pdf")
    target.write_bytes(build())
    print(f"wrote {target} ({target.stat().st_size} bytes)")
