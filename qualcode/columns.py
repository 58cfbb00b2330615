"""Column names of qualcode's tables, in one place.

segments: one row per unit of text
    ``doc_id, segment_id, speaker, is_interviewer, text, start_char, end_char``
    (+ ``start_time, end_time`` for timed transcripts) + metadata columns.
codings: one row per (segment, code)
    ``doc_id, segment_id, code, score, method, status, coder, evidence, source`` + metadata.
    ``status`` is ``suggested``, ``accepted``, ``rejected`` or ``human``; ``coder`` names who
    applied (human) or reviewed (accepted / rejected) the code.
"""

from __future__ import annotations

DOC_ID = "doc_id"
SEGMENT_ID = "segment_id"
SPEAKER = "speaker"
IS_INTERVIEWER = "is_interviewer"
TEXT = "text"
START_CHAR = "start_char"
END_CHAR = "end_char"
START_TIME = "start_time"
END_TIME = "end_time"

CODE = "code"
SCORE = "score"
METHOD = "method"
EVIDENCE = "evidence"
SOURCE = "source"
STATUS = "status"
CODER = "coder"
STATUSES = ("suggested", "accepted", "rejected", "human")
# a researcher's note on one coding (optional column): kept by re-runs, exported with the coding
MEMO = "memo"
# one coding: a passage, its code and who applied it (a passage over two segments is two rows)
CODING_KEY = (DOC_ID, START_CHAR, END_CHAR, CODE, CODER)

# documents table
PATH = "path"
FORMAT = "format"
ENCODING = "encoding"
SHA256 = "sha256"

SEGMENT_CORE = [DOC_ID, SEGMENT_ID, SPEAKER, IS_INTERVIEWER, TEXT, START_CHAR, END_CHAR]
TIME_COLUMNS = [START_TIME, END_TIME]
CODING_CORE = [DOC_ID, SEGMENT_ID, CODE, SCORE, METHOD, STATUS, CODER, EVIDENCE, SOURCE]
DOCUMENT_CORE = [DOC_ID, PATH, FORMAT, ENCODING, SHA256, TEXT]

# the metadata columns a study usually carries, in the order outputs show them
PARTICIPANT = "participant"
ROLE = "role"
PREFERRED_METADATA = [PARTICIPANT, ROLE, "district"]

# names metadata may not take: they would overwrite or duplicate qualcode's own columns
RESERVED = frozenset([*SEGMENT_CORE, *TIME_COLUMNS, *CODING_CORE, "_doc_order"])
