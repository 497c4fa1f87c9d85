"""The Peppol UBL invoice against the real schematrons in shared/specs/peppol-bis-3: the CEN
EN 16931 rules bound to UBL and the Peppol BIS Billing 3.0 rules (incl. R043, the mod-97 check of
Belgian enterprise numbers under scheme 0208), run by Saxon (saxonche, XSLT 3.0).

saxonche runs XSLT, not Schematron, and no Schematron-to-XSLT compiler ships with it (DOMAIN.md §4).
These two files use only the core of ISO Schematron (ns, let, pattern, rule, assert; xsl:function
at the top), so `compile_schematron` below turns them into one XSLT 3.0 stylesheet with the
standard semantics: per pattern a mode, a node is tested by the first rule whose context matches
it, global lets are global variables, rule lets are local ones. That the compiled rules really fire
is shown by invoices broken on purpose."""

import copy
from functools import cache
from pathlib import Path

import pytest
import saxonche
from lxml import etree
from test_reporting_invoice import INVOICE

from aww_reporting.documents import invoice_ubl

SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "peppol-bis-3"
SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
SCHEMATRONS = ("CEN-EN16931-UBL.sch", "PEPPOL-EN16931-UBL.sch")


def _x(parent, element: str, **attributes) -> etree._Element:
    return etree.SubElement(parent, f"{{{XSL}}}{element}", {k.replace("_", "-"): v for k, v in attributes.items()})


def compile_schematron(path: Path) -> bytes:
    schema = etree.parse(str(path)).getroot()
    namespaces = {"xsl": XSL, "xs": "http://www.w3.org/2001/XMLSchema"}
    namespaces |= {ns.get("prefix"): ns.get("uri") for ns in schema.iter(f"{{{SCH}}}ns")}
    namespaces |= {p: u for p, u in schema.nsmap.items() if p}
    sheet = etree.Element(f"{{{XSL}}}stylesheet", nsmap=namespaces, version="3.0")
    for child in schema:
        if child.tag == f"{{{XSL}}}function":
            sheet.append(copy.deepcopy(child))
        elif child.tag == f"{{{SCH}}}let":
            _x(sheet, "variable", name=child.get("name"), select=child.get("value"))
    patterns = [p for p in schema.iter(f"{{{SCH}}}pattern")]
    root = _x(sheet, "template", match="/")
    report = etree.SubElement(root, "report")
    for index in range(len(patterns)):
        _x(report, "apply-templates", select=".", mode=f"M{index}")
    for index, pattern in enumerate(patterns):
        mode = f"M{index}"
        for let in pattern:  # pattern lets may appear in rule contexts (match patterns): global, as in the skeleton
            if let.tag == f"{{{SCH}}}let":
                _x(sheet, "variable", name=let.get("name"), select=let.get("value"))
        rules = [rule for rule in pattern if rule.tag == f"{{{SCH}}}rule"]
        for order, rule in enumerate(rules):
            template = _x(sheet, "template", match=rule.get("context"), mode=mode, priority=str(10_000 - order))
            for let in [c for c in rule if c.tag == f"{{{SCH}}}let"]:
                _x(template, "variable", name=let.get("name"), select=let.get("value"))
            for check in rule:
                if check.tag not in (f"{{{SCH}}}assert", f"{{{SCH}}}report"):
                    continue
                test = check.get("test")
                condition = _x(template, "if", test=f"not({test})" if check.tag == f"{{{SCH}}}assert" else test)
                failed = etree.SubElement(
                    condition, "failed", {"id": check.get("id", ""), "flag": check.get("flag", "error")}
                )
                _x(failed, "attribute", name="location", select="path()")
                _x(failed, "text").text = " ".join("".join(check.itertext()).split())
            _x(template, "apply-templates", select="@*|*", mode=mode)
        _x(sheet, "template", match="text()", mode=mode, priority="-1")
        fallback = _x(sheet, "template", match="@*|node()", mode=mode, priority="-2")
        _x(fallback, "apply-templates", select="@*|*", mode=mode)
    return etree.tostring(sheet)


@cache
def _executables():
    processor = saxonche.PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    return processor, [
        (name, compiler.compile_stylesheet(stylesheet_text=compile_schematron(SPECS / name).decode()))
        for name in SCHEMATRONS
    ]


def failures(document: bytes) -> list[dict]:
    """Every failed assertion of both schematrons: {schematron, id, flag, location, text}."""
    processor, executables = _executables()
    source = processor.parse_xml(xml_text=document.decode())
    found = []
    for name, executable in executables:
        executable.set_global_context_item(xdm_item=source)
        report = etree.fromstring(executable.transform_to_string(xdm_node=source).encode())
        found += [
            {
                "schematron": name,
                "id": f.get("id"),
                "flag": f.get("flag"),
                "location": f.get("location"),
                "text": f.text,
            }
            for f in report.iter("failed")
        ]
    return found


def fatal(found: list[dict]) -> list[dict]:
    return [f for f in found if f["flag"] == "fatal"]


def rendered(data: dict = INVOICE, language: str = "nl") -> bytes:
    return invoice_ubl.render(data, language).content


def test_the_peppol_example_passes_the_compiled_schematrons():
    assert fatal(failures((SPECS / "base-example.xml").read_bytes())) == []


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_our_ubl_invoice_passes_the_cen_and_peppol_schematrons(language):
    found = failures(rendered(language=language))
    assert fatal(found) == [], fatal(found)
    assert [f for f in found if f["flag"] != "warning"] == []


def test_an_enterprise_number_with_wrong_check_digits_fails_peppol_r043():
    broken = {**INVOICE, "buyer": {**INVOICE["buyer"], "enterprise_number": "0403019262", "vat_number": "BE0403019262"}}
    ids = {f["id"] for f in fatal(failures(rendered(broken)))}
    assert "PEPPOL-COMMON-R043" in ids, ids


def test_totals_that_do_not_add_up_fail_the_cen_rules():
    document = etree.fromstring(rendered())
    namespaces = {
        "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
        "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    }
    document.xpath("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", namespaces=namespaces)[0].text = "497.01"
    ids = {f["id"] for f in fatal(failures(etree.tostring(document)))}
    assert "BR-CO-13" in ids, ids
