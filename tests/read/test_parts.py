"""addin.read.parts: a sheet part is found wherever the workbook's relationships put it, so the
cell-extent scan sees every part calamine allocates for — and only those."""

from __future__ import annotations

import zipfile

from addin.read.parts import sheet_parts
from addin.read.sniff import zip_names

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def package(tmp_path, parts: dict[str, str]):
    path = tmp_path / "p.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return zipfile.ZipFile(path)


def rels(*targets: tuple[str, str]) -> str:
    body = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/{kind}" Target="{t}"/>'
        for i, (kind, t) in enumerate(targets, start=1)
    )
    return f"<Relationships>{body}</Relationships>"


BOOK = f'<workbook xmlns:r="{REL}"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>'


def names_of(z) -> list[str]:
    return sorted(i.filename for i in sheet_parts(z, zip_names(z), "p.xlsx"))


def test_a_sheet_at_an_unusual_path_is_found_through_the_relationships(tmp_path):
    z = package(
        tmp_path,
        {
            "[Content_Types].xml": '<Types><Default Extension="xml" ContentType="application/xml"/></Types>',
            "_rels/.rels": rels(("officeDocument", "xl/workbook.xml")),
            "xl/workbook.xml": BOOK,
            "xl/_rels/workbook.xml.rels": rels(("worksheet", "s1.xml"), ("styles", "styles.xml")),
            "xl/s1.xml": "<worksheet/>",
            "xl/styles.xml": "<styleSheet/>",
        },
    )
    assert names_of(z) == ["xl/s1.xml"]  # the styles part is not a sheet


def test_the_workbook_part_is_wherever_the_package_says(tmp_path):
    z = package(
        tmp_path,
        {
            "_rels/.rels": rels(("officeDocument", "/book/main.xml")),
            "book/main.xml": BOOK,
            "book/_rels/main.xml.rels": rels(("worksheet", "../data/one.xml")),
            "data/one.xml": "<worksheet/>",
        },
    )
    assert names_of(z) == ["data/one.xml"]


def test_a_default_content_type_makes_every_such_part_a_sheet(tmp_path):
    z = package(
        tmp_path,
        {
            "[Content_Types].xml": f'<Types><Default Extension="dat" ContentType="{SHEET}"/></Types>',
            "xl/hidden.dat": "<worksheet/>",
            "xl/workbook.xml": BOOK,
        },
    )
    assert names_of(z) == ["xl/hidden.dat"]


def test_the_usual_package_gives_its_sheets(tmp_path):
    z = package(
        tmp_path,
        {
            "[Content_Types].xml": f'<Types><Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET}"/></Types>',
            "_rels/.rels": rels(("officeDocument", "xl/workbook.xml")),
            "xl/workbook.xml": BOOK,
            "xl/_rels/workbook.xml.rels": rels(("worksheet", "worksheets/sheet1.xml")),
            "xl/worksheets/sheet1.xml": "<worksheet/>",
            "xl/worksheets/_rels/sheet1.xml.rels": "<Relationships/>",
            "xl/sharedStrings.xml": "<sst/>",
        },
    )
    assert names_of(z) == ["xl/worksheets/sheet1.xml"]
