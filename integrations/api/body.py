"""Request bodies read with a cap, so an oversized body is refused (413) before anything parses it and without
buffering more than the cap: the declared `Content-Length` is checked first, then the stream is counted."""

from __future__ import annotations

from fastapi import Request

from integrations.api.problems import ProblemError

MAX_BODY_BYTES = 1024 * 1024


def too_large() -> ProblemError:
    return ProblemError(413, "payload_too_large", f"the body is over {MAX_BODY_BYTES} bytes")


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)
