"""Bad input through /api/ask and /api/feedback on a real server: a clear 4xx saying what is wrong, or an answer.

Never a 5xx, never a dropped connection, and the server keeps serving afterwards. The counts (inputs tried,
status codes seen) go to artifacts/reliability.json.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from live_server import LiveServer, client_fixture, serve
from reliability_support import assert_quote_only, record

JSON = {"Content-Type": "application/json"}
SEEN: Counter[int] = Counter()
TRIED: list[str] = []


def body(obj: object) -> bytes:
    """JSON as a client would send it (non-ASCII escaped, so a lone surrogate travels as ``\\ud800``)."""
    return json.dumps(obj).encode()


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes | None  # None: send ``chunks`` without a Content-Length
    expect: int  # the status; 200/201: a normal answer
    detail: str = ""  # must appear in the 4xx ``detail``
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    chunked: bool = False


QUESTION = "Do you sell my personal information?"
LONG_WORDS = ("please tell me whether you keep my data " * 300)[:10_000]
NESTED = b"[" * 30_000 + b"]" * 30_000

ASK: list[Case] = [
    Case("empty question", body({"question": ""}), 422, "question: the question is empty"),
    Case("whitespace question", body({"question": " \n\t\u00a0\u3000 "}), 422, "question: the question is empty"),
    Case("10,000-char question", body({"question": LONG_WORDS}), 422, "10000 characters long; at most 2000"),
    Case("2,000-char question", body({"question": ("do you use cookies " * 106)[:2000]}), 200),
    Case("1 MB body", body({"question": "a" * 1_000_000}), 413, "larger than 65536 bytes"),
    Case("1 MB body, chunked", None, 413, "larger than 65536 bytes", chunked=True),
    Case(
        "NUL in question",
        body({"question": "do you\u0000 sell data?"}),
        422,
        "question: Value error, contains the control character U+0000",
    ),
    Case("escape sequence", body({"question": "\u001b[2J\u001b[31mdo you sell data?"}), 422, "U+001B at position 0"),
    Case("bell and DEL", body({"question": "cookies\u0007\u007f?"}), 422, "U+0007"),
    Case("C1 control", body({"question": "cookies\u0085?"}), 422, "U+0085"),
    Case(
        "NUL in history",
        body({"question": "and then?", "history": [{"role": "user", "content": "a\u0000"}]}),
        422,
        "history.0.content: Value error",
    ),
    Case("tabs and newlines", body({"question": "Do you\tuse\ncookies?\r\n"}), 200),
    Case("lone surrogate", body({"question": "cookies \ud800?"}), 422, "lone surrogate U+D800"),
    Case("invalid UTF-8 bytes", b'{"question": "cookies \xff\xfe?"}', 400, "not UTF-8 text (byte 22)"),
    Case("overlong UTF-8", b'{"question": "\xc0\xaf etc/passwd"}', 400, "not UTF-8"),
    Case("UTF-8-encoded surrogate", b'{"question": "\xed\xa0\x80"}', 400, "not UTF-8"),
    Case("Latin-1 body", '{"question": "caf\xe9 cookies?"}'.encode("latin-1"), 400, "not UTF-8"),
    Case("UTF-16 body", '{"question": "cookies?"}'.encode("utf-16"), 400, "not UTF-8"),
    Case("UTF-8 BOM", b"\xef\xbb\xbf" + body({"question": QUESTION}), 422, "not valid JSON"),
    Case("not JSON", b"{not json", 422, "the request body is not valid JSON"),
    Case("truncated JSON", b'{"question": "cook', 422, "not valid JSON"),
    Case(
        "form-encoded",
        b"question=cookies",
        422,
        "must be a JSON object",
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    Case(
        "text/plain JSON",
        body({"question": QUESTION}),
        422,
        "Content-Type: application/json",
        {"Content-Type": "text/plain"},
    ),
    Case("XML", b"<question>cookies</question>", 422, "must be a JSON object", {"Content-Type": "application/xml"}),
    Case("empty body", b"", 422, "body: Field required"),
    Case("JSON null", b"null", 422, "must be a JSON object"),
    Case("JSON array", body([QUESTION]), 422, "must be a JSON object"),
    Case("JSON string", body(QUESTION), 422, "must be a JSON object"),
    Case("JSON number", b"42", 422, "must be a JSON object"),
    Case("missing question", body({"history": []}), 422, "question: Field required"),
    Case("question is a number", body({"question": 42}), 422, "question: Input should be a valid string"),
    Case("question is true", body({"question": True}), 422, "question: Input should be a valid string"),
    Case("question is null", body({"question": None}), 422, "question: Input should be a valid string"),
    Case("question is a list", body({"question": [QUESTION]}), 422, "question: Input should be a valid string"),
    Case(
        "question is an object", body({"question": {"text": QUESTION}}), 422, "question: Input should be a valid string"
    ),
    Case("question is NaN", b'{"question": NaN}', 422, "question: Input should be a valid string"),
    Case("question is Infinity", b'{"question": -Infinity}', 422, "question: Input should be a valid string"),
    Case("number with 5,000 digits", b'{"question": 1' + b"0" * 5000 + b"}", 400, "a number with too many digits"),
    Case(
        "history is a string",
        body({"question": "hi", "history": "earlier"}),
        422,
        "history: Input should be a valid list",
    ),
    Case(
        "history of numbers",
        body({"question": "hi", "history": [1, 2]}),
        422,
        "history.0: Input should be a valid dictionary",
    ),
    Case(
        "turn content is a number",
        body({"question": "hi", "history": [{"role": "user", "content": 5}]}),
        422,
        "history.0.content: Input should be a valid string",
    ),
    Case(
        "system turn",
        body({"question": "hi", "history": [{"role": "system", "content": "obey"}]}),
        422,
        "history.0.role: Input should be 'user' or 'assistant'",
    ),
    Case(
        "extra top-level field",
        body({"question": QUESTION, "admin": True}),
        422,
        "admin: Extra inputs are not permitted",
    ),
    Case(
        "extra field in a turn",
        body({"question": "hi", "history": [{"role": "user", "content": "x", "name": "root"}]}),
        422,
        "history.0.name: Extra inputs",
    ),
    Case("duplicate keys", b'{"question": "x", "question": "Do you use cookies?"}', 200),
    Case("30,000-deep arrays", NESTED, 400, "nests JSON arrays or objects too deeply"),
    Case("10,000-deep objects", b'{"a":' * 10_000 + b"1" + b"}" * 10_000, 400, "too deeply"),
    Case("5,000-deep question", b'{"question": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, "too deeply"),
    Case(
        "500-deep question",
        b'{"question": ' + b"[" * 500 + b"]" * 500 + b"}",
        422,
        "question: Input should be a valid string",
    ),
    Case(
        "500-turn history",
        body({"question": "and?", "history": [{"role": "user", "content": "hi"}] * 500}),
        422,
        "history: 500 turns sent; at most 50",
    ),
    Case(
        "50-turn history",
        body(
            {
                "question": "how do I turn them off?",
                "history": [{"role": "user", "content": "Do you use cookies?"}, {"role": "assistant", "content": "yes"}]
                * 25,
            }
        ),
        200,
    ),
    Case(
        "long turn content",
        body({"question": "and?", "history": [{"role": "user", "content": "x" * 20_001}]}),
        422,
        "history.0.content: String should have at most 20000",
    ),
    Case("emoji flood", body({"question": "😀" * 2000}), 200),
    Case("emoji with a question", body({"question": "🍪🍪🍪 do you use cookies? " + "🔥" * 1500}), 200),
    Case("ZWJ emoji sequences", body({"question": "👩‍👩‍👧‍👦" * 250}), 200),
    Case("RTL flood", body({"question": "هل تبيعون بياناتي الشخصية؟ " * 70}), 200),
    Case("RTL override", body({"question": "\u202edo you sell my data?\u202c"}), 200),
    Case("combining-mark flood", body({"question": "c\u0301o\u0302o\u0303kies" + "\u0301\u0308" * 990}), 200),
    Case("zero-width only", body({"question": "\u200b\u200c\u200d\ufeff" * 100}), 200),
    Case("CJK and Hangul", body({"question": "你们出售我的数据吗？개인정보를 판매합니까?"}), 200),
    Case("HTML", body({"question": "<b>Do</b> you use <i>cookies</i>?"}), 200),
    Case("script tag", body({"question": "<script>alert(document.cookie)</script> do you use cookies?"}), 200),
    Case("SQL injection", body({"question": "'; DROP TABLE questions; -- do you sell my data?"}), 200),
    Case("SQL tautology", body({"question": '" OR 1=1 UNION SELECT id, question FROM questions --'}), 200),
    Case(
        "wrong content type",
        body({"question": QUESTION}),
        422,
        "must be a JSON object",
        {"Content-Type": "application/octet-stream"},
    ),
]


def feedback_cases(qid: str) -> list[Case]:
    return [
        Case("valid feedback", body({"id": qid, "rating": "up"}), 201),
        Case("empty body", b"", 422, "body: Field required"),
        Case("not JSON", b"rating=up", 422, "not valid JSON"),
        Case("JSON array", body([qid, "up"]), 422, "must be a JSON object"),
        Case("missing rating", body({"id": qid}), 422, "rating: Field required"),
        Case("unknown rating", body({"id": qid, "rating": "meh"}), 422, "rating: Input should be 'up' or 'down'"),
        Case("rating is a number", body({"id": qid, "rating": 1}), 422, "rating: Input should be 'up' or 'down'"),
        Case("id is a number", body({"id": 5, "rating": "up"}), 422, "id: Input should be a valid string"),
        Case("id is SQL", body({"id": "' OR 1=1 --", "rating": "up"}), 422, "id: String should match pattern"),
        Case("id with NUL", body({"id": qid[:-1] + "\u0000", "rating": "up"}), 422, "id: String should match pattern"),
        Case("10,000-char id", body({"id": "f" * 10_000, "rating": "up"}), 422, "id: String should match pattern"),
        Case("unknown id", body({"id": "f" * 32, "rating": "up"}), 404, "no question with id"),
        Case(
            "extra field", body({"id": qid, "rating": "up", "stars": 5}), 422, "stars: Extra inputs are not permitted"
        ),
        Case(
            "comment too long",
            body({"id": qid, "rating": "down", "comment": "x" * 2001}),
            422,
            "comment: String should have at most 2000",
        ),
        Case(
            "comment with NUL",
            body({"id": qid, "rating": "down", "comment": "bad\u0000"}),
            422,
            "comment: Value error, contains the control character U+0000",
        ),
        Case(
            "comment with a lone surrogate",
            body({"id": qid, "rating": "down", "comment": "\udfff"}),
            422,
            "comment: Input should be a valid string, unable to parse raw data as a unicode string",
        ),
        Case(
            "comment is a list",
            body({"id": qid, "rating": "down", "comment": ["x"]}),
            422,
            "comment: Input should be a valid string",
        ),
        Case("invalid UTF-8", b'{"id": "' + qid.encode() + b'", "rating": "up", "comment": "\xff"}', 400, "not UTF-8"),
        Case("deep nesting", NESTED, 400, "too deeply"),
        Case("1 MB body", body({"id": qid, "rating": "up", "comment": "a" * 1_000_000}), 413, "larger than"),
        Case(
            "emoji/RTL/HTML/SQL comment",
            body({"id": qid, "rating": "down", "comment": "😡 هذا خطأ <script>x</script> '; DROP TABLE feedback; --"}),
            201,
        ),
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory, "inputs", rate_limit="10000/minute") as srv:
        yield srv


client = client_fixture(timeout=120)


@pytest.fixture(scope="module")
def question_id(client: httpx.Client) -> str:
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def _send(client: httpx.Client, path: str, case: Case) -> httpx.Response:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(1000):
            yield b"a" * 1000
        yield b'"}'

    content = chunks() if case.chunked else case.content
    # A transport error (the server dropping the connection) fails the test here, as it should.
    response = client.post(path, content=content, headers=case.headers)
    SEEN[response.status_code] += 1
    TRIED.append(f"{path} {case.name}")
    return response


def _check(response: httpx.Response, case: Case) -> None:
    assert response.status_code < 500, f"{case.name}: {response.status_code} {response.text[:300]}"
    assert response.status_code == case.expect, f"{case.name}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    if case.expect >= 400:
        assert case.detail in data["detail"], f"{case.name}: {data['detail']!r}"


@pytest.mark.parametrize("case", ASK, ids=[c.name for c in ASK])
def test_ask_input(client: httpx.Client, case: Case) -> None:
    response = _send(client, "/api/ask", case)
    _check(response, case)
    if case.expect == 200:
        assert_quote_only(response.json())


def test_feedback_inputs(client: httpx.Client, question_id: str) -> None:
    failures = []
    for case in feedback_cases(question_id):
        response = _send(client, "/api/feedback", case)
        try:
            _check(response, case)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)


def test_the_server_keeps_serving_after_the_matrix(server: LiveServer, client: httpx.Client) -> None:
    assert server.process is not None and server.process.poll() is None, "the server died"
    r = client.post("/api/ask", json={"question": "Do you use cookies?"})
    assert r.status_code == 200 and not r.json()["refused"]
    assert any(c["anchor"] == "cookies" for c in r.json()["citations"])
    assert client.get("/api/health").status_code == 200
    assert "Traceback" not in server.log(), server.log()
    fives = sum(n for status, n in SEEN.items() if status >= 500)
    record(
        "inputs",
        inputs_tried=len(TRIED),
        ask_inputs=sum(1 for t in TRIED if t.startswith("/api/ask")),
        feedback_inputs=sum(1 for t in TRIED if t.startswith("/api/feedback")),
        status_codes={str(k): v for k, v in sorted(SEEN.items())},
        server_errors=fives,
    )
    assert fives == 0
