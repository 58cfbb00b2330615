"""A .qdpx is a zip from a stranger: each hostile file is refused with one clear error."""

from __future__ import annotations

import stat
import zipfile

import pytest

import qualcode as qc
from qualcode.refi import Limits

from .refi_files import CARE, CODES, SOURCE, qde, selection, write_qdpx


def good_project(tmp_path, name="ok.qdpx"):
    body = (
        CODES
        + f'<Sources><TextSource guid="{SOURCE}" name="a" plainTextPath="internal://{SOURCE}.txt">'
        + selection(0, 4, CARE)
        + "</TextSource></Sources>"
    )
    return write_qdpx(tmp_path / name, qde(body), {f"Sources/{SOURCE}.txt": b"Care is everything here."})


def refused(path, match, **kwargs):
    with pytest.raises(qc.RefiError, match=match) as info:
        qc.read_qdpx(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def test_a_good_project_reads(tmp_path):
    project = qc.read_qdpx(good_project(tmp_path))
    assert project.codings["text"].tolist() == ["Care"]


@pytest.mark.parametrize("name", ["../evil.txt", "Sources/../../evil.txt", "/etc/evil.txt", "C:/evil.txt"])
def test_zip_slip_entries_are_refused(tmp_path, name):
    path = good_project(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(zipfile.ZipInfo(name), b"pwned")
    refused(path, "refused entry")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_symbolic_links_are_refused(tmp_path):
    path = good_project(tmp_path)
    link = zipfile.ZipInfo("Sources/link.txt")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(link, "/etc/passwd")
    refused(path, "symbolic link")


def test_zip_bomb_by_ratio_is_refused(tmp_path):
    path = good_project(tmp_path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Sources/bomb.txt", b"\0" * (20 * 1024**2))  # 20 MB of zeros deflate ~1000x
    refused(path, "zip bomb")


def test_total_size_cap(tmp_path):
    refused(good_project(tmp_path), "zip bomb", limits=Limits(max_total_bytes=200))


def test_header_that_lies_about_sizes_is_refused(tmp_path):
    import struct

    path = tmp_path / "liar.qdpx"
    body = f'<Sources><TextSource guid="{SOURCE}" name="a" plainTextPath="internal://big.txt"/></Sources>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde(CODES + body))
        archive.writestr("Sources/big.txt", b"care " * 400_000)  # 2 MB, declared below as 10 bytes
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.rfind(signature)
        data[at + offset : at + offset + 4] = struct.pack("<I", 10)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("Sources/big.txt").file_size == 10
    refused(path, "damaged|zip bomb")


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
XXE = '<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("head", [BILLION_LAUGHS, XXE, "<!DOCTYPE Project>"])
def test_dtds_and_entities_are_refused(tmp_path, head):
    body = "<Users><User guid='11111111-1111-1111-1111-111111111111' name='&lol3;'/></Users>"
    path = write_qdpx(tmp_path / "x.qdpx", qde(body if "lol" in head else "", head=head))
    refused(path, "DTD or entities")


def test_duplicate_entry_names_are_refused(tmp_path):
    path = good_project(tmp_path)
    with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning):
        archive.writestr("project.qde", qde(""))  # a second project.qde: which one would a reader take?
    refused(path, "twice")


def test_not_a_zip(tmp_path):
    path = tmp_path / "notes.qdpx"
    path.write_text("just some notes")
    refused(path, "not a zip")


def test_no_project_inside(tmp_path):
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    refused(path, "no project.qde")


def test_malformed_xml(tmp_path):
    refused(write_qdpx(tmp_path / "bad.qdpx", b"<Project><Users></Project>"), "not well-formed")


def test_bad_offsets(tmp_path):
    body = CODES + f'<Sources><TextSource guid="{SOURCE}" name="a"><PlainTextContent>Hi</PlainTextContent>'
    body += '<PlainTextSelection guid="12345678-1234-1234-1234-123456789012" startPosition="x" endPosition="2"/>'
    refused(write_qdpx(tmp_path / "b.qdpx", qde(body + "</TextSource></Sources>")), "startPosition")


def test_qdc_with_entities_is_refused(tmp_path):
    path = tmp_path / "codes.qdc"
    path.write_text(XXE + '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(qc.RefiError, match="DTD or entities"):
        qc.read_qdc(path)


def test_a_bomb_inside_a_docx_source_is_refused(tmp_path):
    import io

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("word/document.xml", b"\0" * (20 * 1024**2))
    body = CODES + f'<Sources><TextSource guid="{SOURCE}" name="a" richTextPath="internal://{SOURCE}.docx"/></Sources>'
    path = write_qdpx(tmp_path / "d.qdpx", qde(body), {f"Sources/{SOURCE}.docx": inner.getvalue()})
    message = refused(path, "zip bomb")
    assert f"{SOURCE}.docx" in message


def test_many_small_entries_cannot_add_up_to_a_bomb(tmp_path):
    bomb = tmp_path / "many.qdpx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
        for i in range(300):
            archive.writestr(f"sources/pad{i}.txt", b"\0" * (900 * 1024))
    with pytest.raises(qc.RefiError, match=r"inflate .* times together"):
        qc.read_qdpx(bomb)


def test_encrypted_and_unknown_compression_entries_are_refused(tmp_path):
    path = tmp_path / "enc.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", "<Project/>")
    raw = bytearray(path.read_bytes())
    raw[6] |= 0x1  # general-purpose flag of the local header: encrypted
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 8] |= 0x1  # and in the central directory
    path.write_bytes(bytes(raw))
    with pytest.raises(qc.RefiError, match="encryption"):
        qc.read_qdpx(path)
    method = tmp_path / "m99.qdpx"
    with zipfile.ZipFile(method, "w") as archive:
        archive.writestr("project.qde", "<Project/>")
    raw = bytearray(method.read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 10 : central + 12] = (99).to_bytes(2, "little")
    raw[8:10] = (99).to_bytes(2, "little")
    method.write_bytes(bytes(raw))
    with pytest.raises(qc.RefiError, match="compression method 99"):
        qc.read_qdpx(method)


def test_deeply_nested_codes_are_refused_in_one_line(tmp_path):
    depth = 3000
    opening = "".join(
        f'<Code guid="{k:08d}-0000-0000-0000-000000000000" name="c{k}" isCodable="true">' for k in range(depth)
    )
    body = f"<CodeBook><Codes>{opening}{'</Code>' * depth}</Codes></CodeBook>"
    path = write_qdpx(tmp_path / "deep.qdpx", qde(body))
    refused(path, "nested more than 64 levels")


def test_thousands_of_codes_with_one_name_import_in_linear_time(tmp_path):
    import time

    codes = "".join(
        f'<Code guid="{k:08d}-0000-0000-0000-000000000001" name="Theme" isCodable="true"/>' for k in range(20_000)
    )
    path = write_qdpx(tmp_path / "same.qdpx", qde(f"<CodeBook><Codes>{codes}</Codes></CodeBook>"))
    start = time.perf_counter()
    project = qc.read_qdpx(path)
    assert time.perf_counter() - start < 20  # quadratic naming took 180 s
    ids = project.codebook.ids
    assert len(set(ids)) == 20_000 and ids[:3] == ["theme", "theme_2", "theme_3"]


def test_many_sources_are_found_in_linear_time(tmp_path):
    import time

    from qualcode.archive import SafeZip

    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for k in range(8_000):
            archive.writestr(f"Sources/S{k}.txt", b"x")
    start = time.perf_counter()
    with SafeZip(path) as zipped:
        found = [zipped.find(f"sources\\s{k}.TXT") for k in range(8_000)]
    assert time.perf_counter() - start < 5 and found[123] == "Sources/S123.txt"


def test_selections_past_the_end_of_a_source_are_cut_and_reported(tmp_path):
    body = (
        CODES
        + f'<Sources><TextSource guid="{SOURCE}" name="a" plainTextPath="internal://{SOURCE}.txt">'
        + selection(0, 4, CARE)
        + selection(5, 400, CARE)
        + "</TextSource></Sources>"
    )
    path = write_qdpx(tmp_path / "past.qdpx", qde(body), {f"Sources/{SOURCE}.txt": b"Care is everything here."})
    project = qc.read_qdpx(path)
    assert any("1 selections in 'a' end after the source's text" in w for w in project.warnings)
    assert project.codings["end_char"].max() == len("Care is everything here.")


def test_an_archive_claiming_an_unknown_zip_version_is_one_clear_error(tmp_path):
    """Found by the fuzz suite: a central directory entry asking for zip version 6.4."""
    path = good_project(tmp_path)
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 6] = 64  # "version needed to extract"
    path.write_bytes(bytes(data))
    with pytest.raises(qc.RefiError) as info:
        qc.read_qdpx(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
